package cloudio

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestPLYCarryRoundTrip: a cloud read with Carry, written by WritePLY and read back with
// Carry gives the same coordinates (double when float32 would round them) and the same
// properties with their input types, for PLY, LAS and text inputs.
func TestPLYCarryRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		file      string
		coordType string
		props     []string // carried names in the output, in order
	}{
		{"cycloidal.ply", "float", []string{"input_red", "input_green", "input_blue", "alpha"}},
		{"featuretype.ply", "double", []string{"nx", "ny", "nz"}},
		{"delim_test.ply", "float", []string{"nx", "ny", "nz", "input_red", "input_green", "input_blue"}},
		{"simple.las", "double", []string{"intensity", "return_number", "number_of_returns", "classification", "gps_time", "input_red", "input_green", "input_blue"}},
		{"points_cloudcompare.xyz", "double", []string{"col4", "col5", "col6", "col7"}},
		{"autzen-bmx-largersample.txt", "double", nil}, // 18 columns besides X, Y, Z: checked by count
	} {
		t.Run(tc.file, func(t *testing.T) {
			in, err := ReadFile(filepath.Join(dataDir, tc.file), ReadOptions{Carry: true})
			if err != nil {
				t.Fatal(err)
			}
			n := in.N()
			phi := make([]float64, n)
			for i := range phi {
				phi[i] = float64(i) / 3
			}
			var buf bytes.Buffer
			err = WritePLY(&buf, &PLYOutput{Points: in.Points, Dim: in.Dim, Carry: in.Props,
				Props: []string{"phi1"}, Values: [][]float64{phi}, RGB: make([]uint8, 3*n), Comments: []string{"sigma 1"}})
			if err != nil {
				t.Fatal(err)
			}
			hdr := buf.String()[:strings.Index(buf.String(), "end_header")]
			if !strings.Contains(hdr, "property "+tc.coordType+" x\n") || !strings.Contains(hdr, "comment sigma 1\n") {
				t.Fatalf("header:\n%s", hdr)
			}
			out, err := Read(bytes.NewReader(buf.Bytes()), "out.ply", ReadOptions{Carry: true})
			if err != nil {
				t.Fatal(err)
			}
			if !equalFloats(out.Points, in.Points) {
				t.Fatal("coordinates changed")
			}
			// Read back: the carried properties, then phi1, red, green, blue.
			if len(out.Props) != len(in.Props)+4 {
				t.Fatalf("read back %v, wrote %v + phi1 + rgb", propNames(out), propNames(in))
			}
			if tc.props != nil && strings.Join(propNames(out)[:len(in.Props)], ",") != strings.Join(tc.props, ",") {
				t.Errorf("carried names %v, want %v", propNames(out)[:len(in.Props)], tc.props)
			}
			for j, p := range in.Props {
				q := out.Props[j]
				if q.Type != p.Type || !equalFloats(q.Values, p.Values) {
					t.Errorf("prop %s (%s) came back as %s (%s), values equal %v", p.Name, p.Type, q.Name, q.Type, equalFloats(q.Values, p.Values))
				}
			}
		})
	}
}

func TestPLYCarry2D(t *testing.T) {
	in, err := ReadFile(filepath.Join(dataDir, "spiral.txt"), ReadOptions{Carry: true, Columns: []string{"1", "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Props) != 1 || in.Props[0].Name != "col3" || in.Props[0].Values[0] != 3 {
		t.Fatalf("spiral label not carried: %+v", in.Props)
	}
	var buf bytes.Buffer
	if err := WritePLY(&buf, &PLYOutput{Points: in.Points, Dim: 2, Carry: in.Props}); err != nil {
		t.Fatal(err)
	}
	out, err := Read(bytes.NewReader(buf.Bytes()), "out.ply", ReadOptions{})
	if err != nil || out.Dim != 3 {
		t.Fatal(err)
	}
	for i := 0; i < in.N(); i++ {
		if out.Points[3*i] != in.Points[2*i] || out.Points[3*i+1] != in.Points[2*i+1] || out.Points[3*i+2] != 0 {
			t.Fatalf("point %d: %v", i, out.Points[3*i:3*i+3])
		}
	}
}
