// Package figure draws a cloud coloured by eigenvectors as a PNG grid of scatter plots.
package figure
