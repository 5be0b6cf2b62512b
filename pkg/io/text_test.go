package cloudio

import (
	"strings"
	"testing"
)

func readText_(s string, cols ...string) (*Cloud, error) {
	return Read(strings.NewReader(s), "t.csv", ReadOptions{Format: FormatText, Columns: cols})
}

func TestTextDelimitersAndQuirks(t *testing.T) {
	want3 := []float64{1, 2, 3, -4.5, 5e-3, 6e10}
	cases := []struct{ name, in string }{
		{"comma", "1,2,3\n-4.5,5e-3,6e10\n"},
		{"comma with spaces", " 1 , 2 ,3\n-4.5, 5e-3 , 6E+10\n"},
		{"semicolon", "1;2;3\n-4.5;0.005;6e10\n"},
		{"tab", "1\t2\t3\n-4.5\t0.005\t6e10\n"},
		{"spaces", "1 2 3\n-4.5 0.005 6e10\n"},
		{"leading and runs of spaces", "   1    2  3\n  -4.5 0.005    6e10   \n"},
		{"doubled tabs and tab space", "1\t\t2\t3\n-4.5\t \t0.005\t6e10\n"},
		{"CRLF, no final newline", "1,2,3\r\n-4.5,0.005,6e10"},
		{"bare CR", "1,2,3\r-4.5,0.005,6e10\r"},
		{"comments and blank lines", "# a comment\n\n1,2,3\n  # indented comment\n\n-4.5,0.005,6e10\n\n"},
		{"header", "x,y,z\n1,2,3\n-4.5,0.005,6e10\n"},
		{"quoted header", "\"X\",\"Y\",\"Z\"\n1,2,3\n-4.5,0.005,6e10\n"},
		{"quoted values", "\"x\",\"y\",\"z\"\n\"1\",2,\"3\"\n-4.5,0.005,6e10\n"},
		{"header with spaces", "x y z\n1 2 3\n-4.5 0.005 6e10\n"},
		{"BOM", "\xef\xbb\xbfx,y,z\n1,2,3\n-4.5,0.005,6e10\n"},
		{"header after comment", "# exported\nX;Y;Z\n1;2;3\n-4.5;0.005;6e10"},
		{"explicit plus and leading dot", "+1,2.,3\n-4.5,.005,6e+10\n"},
	}
	for _, tc := range cases {
		c, err := readText_(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Dim != 3 || !equalFloats(c.Points, want3) {
			t.Errorf("%s: dim %d %v, want %v", tc.name, c.Dim, c.Points, want3)
		}
	}
}

func TestTextColumnSelection(t *testing.T) {
	cases := []struct {
		name, in string
		cols     []string
		names    []string
		want     []float64
	}{
		{"xyz named anywhere", "id,Z,y,X,w\n1,2,3,4,5\n6,7,8,9,10\n", nil, []string{"X", "y", "Z"}, []float64{4, 3, 2, 9, 8, 7}},
		{"xy only is 2D", "label,x,y\na,1,2\nb,3,4\n", nil, []string{"x", "y"}, []float64{1, 2, 3, 4}},
		{"headerless 4 columns", "1 2 3 4\n5 6 7 8\n", nil, []string{"x", "y", "z"}, []float64{1, 2, 3, 5, 6, 7}},
		{"headerless 2 columns", "1 2\n5 6\n", nil, []string{"x", "y"}, []float64{1, 2, 5, 6}},
		{"by name, case-insensitive", "a,B,c\n1,2,3\n4,5,6\n", []string{"c", "b"}, []string{"c", "B"}, []float64{3, 2, 6, 5}},
		{"by index", "a,b,c\n1,2,3\n4,5,6\n", []string{"3", "1", "2"}, []string{"c", "a", "b"}, []float64{3, 1, 2, 6, 4, 5}},
		{"by index, headerless", "1,2,3\n4,5,6\n", []string{"2", "3"}, []string{"x", "y"}, []float64{2, 3, 5, 6}},
		{"unused column not parsed", "x,y,z,note\n1,2,3,hello\n4,5,6,NaN\n", nil, []string{"x", "y", "z"}, []float64{1, 2, 3, 4, 5, 6}},
	}
	for _, tc := range cases {
		c, err := readText_(tc.in, tc.cols...)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if strings.Join(c.Names, ",") != strings.Join(tc.names, ",") || !equalFloats(c.Points, tc.want) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, c.Names, c.Points, tc.names, tc.want)
		}
	}
}

func TestTextMalformed(t *testing.T) {
	cases := []struct {
		name, in string
		cols     []string
		line     int
		msg      string
	}{
		{"wrong field count", "x,y,z\n1,2,3\n4,5\n", nil, 3, "2 fields, expected 3"},
		{"too many fields", "1 2 3\n4 5 6 7\n", nil, 2, "4 fields, expected 3"},
		{"non-numeric", "x,y,z\n1,2,3\n4,abc,6\n", nil, 3, `"abc" in column "y" is not a number`},
		{"non-numeric headerless", "1,2,3\n\n4,5,6,\n", nil, 3, "4 fields, expected 3"},
		{"empty value", "x,y,z\n1,,3\n", nil, 2, `empty value in column "y"`},
		{"NaN", "x,y,z\n1,2,3\n4,5,NaN\n", nil, 3, `column "z" is NaN`},
		{"nan first row", "nan,1,2\n", nil, 1, "column 1 is NaN"},
		{"Inf", "1 2 3\n4 -inf 6\n", nil, 2, "column 2 is -Inf"},
		{"overflow is Inf", "1 2 3\n4 5 1e400\n", nil, 2, "column 3 is +Inf"},
		{"missing x", "a,y,z\n1,2,3\n", nil, 1, `the header has no x and y columns (columns: "a", "y", "z"); choose 2 or 3 coordinate columns with --columns, e.g. --columns a,y,z`},
		{"one column", "5\n6\n", nil, 1, "only 1 column"},
		{"four columns asked", "1,2,3,4\n", []string{"1", "2", "3", "4"}, 1, "a cloud is 2D or 3D"},
		{"one column asked", "1,2,3,4\n", []string{"1"}, 1, "a cloud is 2D or 3D"},
		{"unknown column", "a,b,c\n1,2,3\n", []string{"a", "q"}, 1, `no column "q" (columns: "a", "b", "c")`},
		{"index out of range", "a,b,c\n1,2,3\n", []string{"1", "4"}, 1, "column 4 out of range"},
		{"name without header", "1,2,3\n", []string{"x", "y"}, 1, "no header"},
		{"duplicate column", "a,b,c\n1,2,3\n", []string{"a", "A"}, 1, "selected twice"},
		{"header only", "# c\nx,y,z\n", nil, 2, "no data rows after the header"},
		{"quoted row wrong count", "\"x\",\"y\"\n\"1\",\"2\",\"3\"\n", nil, 2, "3 fields, expected 2"},
	}
	for _, tc := range cases {
		_, err := readText_(tc.in, tc.cols...)
		checkInputError(t, tc.name, err, tc.line, -1, tc.msg)
	}
	for _, in := range []string{"", "\n\n", "# only a comment\n"} {
		_, err := readText_(in)
		checkInputError(t, "empty", err, 0, -1, "empty input: no points")
	}
}

func TestParseFloatMatchesStrconv(t *testing.T) {
	inputs := []string{"0", "-0", "1", "-1", "0.1", "123.456", "1e22", "1e23", "9007199254740993",
		"9007199254740992", "1.7976931348623157e308", "5e-324", "4.9e-324", "2.2250738585072014e-308",
		"0.000001", "123456789012345678901234", "1.00000000000000000000001", "3.14159265358979323846",
		"665187.522077", "5648349.895035", "-0.07598886638879776", "1e-22", "1e-23", "12345678901234567e-5",
		"0x1p-3", "1_0", ".5", "5.", "+.5e1", "inf", "-Inf", "NaN", "e5", ".", "-", "1e", "1e+", "1..2", "1.2.3", "--1", "1e5x"}
	for _, s := range inputs {
		got, ok := parseFloat([]byte(s))
		want, ok2 := slowFloat([]byte(s))
		if ok != ok2 || (ok && got != want && !(got != got && want != want)) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv: %v, %v", s, got, ok, want, ok2)
		}
	}
}
