package cloudio_test

import (
	"errors"
	"fmt"
	"strings"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

func ExampleRead() {
	in := "# a comment\n\"X\",\"Y\",\"Z\",\"Intensity\"\n1.5,2,3,40\n4,5e-1,6,41\n"
	c, err := cloudio.Read(strings.NewReader(in), "points.csv", cloudio.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Format, c.N(), c.Dim, c.Names, c.Points)
	// Output: csv 2 3 [X Y Z] [1.5 2 3 4 0.5 6]
}

func ExampleInputError() {
	in := "x,y,z\n1,2,3\n4,5\n"
	_, err := cloudio.Read(strings.NewReader(in), "points.csv", cloudio.ReadOptions{})
	var ie *cloudio.InputError
	if errors.As(err, &ie) {
		fmt.Println(ie.Line)
		fmt.Println(err)
	}
	// Output:
	// 3
	// points.csv line 3: 2 fields, expected 3 (as in the first row)
}
