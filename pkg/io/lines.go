package cloudio

import (
	"bufio"
	"io"
)

// lineReader yields lines without their terminator, counting them. A line longer than
// the bufio buffer is assembled in a separate slice.
type lineReader struct {
	br   *bufio.Reader
	term byte // '\n' (a preceding '\r' is dropped) or '\r'
	line int  // number of the line last returned
	long []byte
	eof  bool
}

// next returns the next line, valid until the following call, or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	if lr.eof {
		return nil, io.EOF
	}
	b, err := lr.br.ReadSlice(lr.term)
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(lr.long) > MaxLineBytes {
				lr.line++
				return nil, errLineTooLong
			}
			b, err = lr.br.ReadSlice(lr.term)
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	if err != nil {
		if err != io.EOF {
			return nil, err
		}
		lr.eof = true
		if len(b) == 0 {
			return nil, io.EOF
		}
	}
	lr.line++
	if n := len(b); n > 0 && b[n-1] == lr.term {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// nextNonBlank skips lines of only spaces and tabs.
func (lr *lineReader) nextNonBlank() ([]byte, error) {
	for {
		b, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !isBlank(b) {
			return b, nil
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
