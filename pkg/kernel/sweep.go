package kernel

//go:generate sh -c "cd ../.. && python3 scripts/kernel_gen_sweep.py && gofmt -w pkg/kernel/sweep_gen.go"
//go:generate sh -c "cd ../.. && python3 scripts/kernel_gen_asm.py"

// The on-the-fly hot loop, hand-written: Go has no SIMD intrinsics and does not
// vectorise, so the loop is scalar float32 on SoA coordinate arrays, four targets at a
// time against one source sweep (each source's coordinates and value are loaded once for
// four pairs, and the four accumulators are independent chains). gauss is inlined by
// hand (sweep_gen.go, from scripts/kernel_gen_sweep.py: Go's inliner refuses it).
// Each target's sum runs over its ranges in ascending source order, whatever the
// thread count.

// sweepCell sets dst over target cell i.
func (o *Operator) sweepCell(i int, dst, src []float64) {
	c := o.g.Cells[i]
	if haveAVX2 {
		o.sweepCell8(i, dst, src)
		return
	}
	for t := c.Start; t < c.End; t += 4 {
		// A partial last block repeats its last target in the unused lanes; the extra
		// lanes are discarded, and each lane's sum is independent of the others.
		var tt [4]int
		for k := range tt {
			tt[k] = min(t+k, c.End-1)
		}
		var acc [4]float64
		for _, r := range o.sourceRanges(i, t) {
			a, b := int(r[0]), int(r[1])
			if o.z == nil {
				sweep2x4(&acc, o.x, o.y, &tt, o.x[a:b], o.y[a:b], src[a:b], o.c2)
			} else {
				sweep3x4(&acc, o.x, o.y, o.z, &tt, o.x[a:b], o.y[a:b], o.z[a:b], src[a:b], o.c2)
			}
		}
		for k := 0; k < 4 && t+k < c.End; k++ {
			dst[t+k] = acc[k]
		}
	}
}

// sweepCell8 is sweepCell with the AVX2 loop: eight targets, one per lane (four for a
// last block of at most four), each summed in the same order as in the pure-Go loop, so
// the two give the same bits.
func (o *Operator) sweepCell8(i int, dst, src []float64) {
	c := o.g.Cells[i]
	var tx, ty, tz [8]float32
	for t := c.Start; t < c.End; t += 8 {
		ranges := o.sourceRanges(i, t)
		for k := range tx {
			s := min(t+k, c.End-1)
			tx[k], ty[k] = o.x[s], o.y[s]
			if o.z != nil {
				tz[k] = o.z[s]
			}
		}
		var acc [8]float64
		if c.End-t <= 4 {
			a4 := (*[4]float64)(acc[:4])
			tx4, ty4, tz4 := (*[4]float32)(tx[:4]), (*[4]float32)(ty[:4]), (*[4]float32)(tz[:4])
			for _, r := range ranges {
				a, n := int(r[0]), int(r[1]-r[0])
				if o.z == nil {
					sweep2x4avx(a4, tx4, ty4, &o.x[a], &o.y[a], &src[a], n, o.c2)
				} else {
					sweep3x4avx(a4, tx4, ty4, tz4, &o.x[a], &o.y[a], &o.z[a], &src[a], n, o.c2)
				}
			}
		} else {
			for _, r := range ranges {
				a, n := int(r[0]), int(r[1]-r[0])
				if o.z == nil {
					sweep2x8(&acc, &tx, &ty, &o.x[a], &o.y[a], &src[a], n, o.c2)
				} else {
					sweep3x8(&acc, &tx, &ty, &tz, &o.x[a], &o.y[a], &o.z[a], &src[a], n, o.c2)
				}
			}
		}
		for k := 0; k < 8 && t+k < c.End; k++ {
			dst[t+k] = acc[k]
		}
	}
}
