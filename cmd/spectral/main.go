// Command spectral computes spectral coordinates of point clouds: the eigenvectors of a
// Gaussian-kernel graph Laplacian. See README.md and docs/CLI.md.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
