package cloudio

import "strconv"

// readTextCarry reads a delimited file's coordinates as readText does, and every other
// column as a carried property (a "double", since text holds decimals). The columns are
// parsed row-major together and then split, so the peak is about twice the values.
func readTextCarry(src *source, columns []string) (*Cloud, error) {
	coords := chooseCoordinates(columns)
	dim := 0
	choose := func(header []string, ncols int) ([]int, []string, error) {
		cols, names, err := coords(header, ncols)
		if err != nil {
			return nil, nil, err
		}
		dim = len(cols)
		used := make([]bool, ncols)
		for _, c := range cols {
			used[c] = true
		}
		for c := 0; c < ncols; c++ {
			if used[c] {
				continue
			}
			cols = append(cols, c)
			if header != nil && header[c] != "" {
				names = append(names, header[c])
			} else {
				names = append(names, "col"+strconv.Itoa(c+1))
			}
		}
		return cols, names, nil
	}
	d, err := readDelimited(src, choose)
	if err != nil {
		return nil, err
	}
	width := len(d.names)
	c := &Cloud{Dim: dim, Names: d.names[:dim], Format: "csv", Source: src.name}
	if width == dim {
		c.Points = d.values
		return c, nil
	}
	c.Points = make([]float64, d.rows*dim)
	for i := 0; i < d.rows; i++ {
		copy(c.Points[i*dim:(i+1)*dim], d.values[i*width:i*width+dim])
	}
	for k := dim; k < width; k++ {
		v := make([]float64, d.rows)
		for i := range v {
			v[i] = d.values[i*width+k]
		}
		c.Props = append(c.Props, Prop{Name: d.names[k], Type: "double", Values: v})
	}
	return c, nil
}
