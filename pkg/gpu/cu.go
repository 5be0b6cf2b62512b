package gpu

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"unsafe"
)

// The small Go API over the driver, shaped like gorgonia.org/cu's (Context, Module,
// Function.Launch, MemAlloc, MemcpyHtoD/DtoH) so a cgo backend could stand in where a
// machine has the CUDA headers.

// Context is a device's primary context. Every method makes it current on a locked OS
// thread for the duration of the call, because the driver keeps the current context per
// thread and goroutines move between threads.
type Context struct {
	d   *Driver
	dev Device
	h   uintptr
}

// RetainPrimaryCtx retains the device's primary context (the one the runtime API uses).
func (dev Device) RetainPrimaryCtx() (*Context, error) {
	var h uintptr
	if err := dev.d.check("cuDevicePrimaryCtxRetain", dev.d.cuDevicePrimaryCtxRetain(&h, dev.h)); err != nil {
		return nil, err
	}
	return &Context{d: dev.d, dev: dev, h: h}, nil
}

// Release releases the primary context.
func (c *Context) Release() error {
	return c.d.check("cuDevicePrimaryCtxRelease", c.d.cuDevicePrimaryCtxRelease(c.dev.h))
}

// do runs f with the context current on the calling (locked) OS thread.
func (c *Context) do(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := c.d.check("cuCtxSetCurrent", c.d.cuCtxSetCurrent(c.h)); err != nil {
		return err
	}
	return f()
}

// Synchronize waits for all work in the context; kernel faults surface here.
func (c *Context) Synchronize() error {
	return c.do(func() error { return c.d.check("cuCtxSynchronize", c.d.cuCtxSynchronize()) })
}

// DevicePtr is a device address (CUdeviceptr).
type DevicePtr uint64

// MemAlloc allocates bytes of device memory.
func (c *Context) MemAlloc(bytes int64) (DevicePtr, error) {
	if bytes <= 0 {
		bytes = 1 // a zero-byte cuMemAlloc is an error; an empty buffer is still a buffer
	}
	var p uint64
	err := c.do(func() error { return c.d.check("cuMemAlloc_v2", c.d.cuMemAlloc(&p, uint64(bytes))) })
	if err != nil {
		return 0, fmt.Errorf("allocating %d bytes on the GPU: %w", bytes, err)
	}
	return DevicePtr(p), nil
}

// MemFree frees device memory; freeing 0 is a no-op.
func (c *Context) MemFree(p DevicePtr) error {
	if p == 0 {
		return nil
	}
	return c.do(func() error { return c.d.check("cuMemFree_v2", c.d.cuMemFree(uint64(p))) })
}

// MemcpyHtoD copies n bytes from host memory src (Go memory without Go pointers) to dst.
func (c *Context) MemcpyHtoD(dst DevicePtr, src unsafe.Pointer, n int64) error {
	if n == 0 {
		return nil
	}
	return c.do(func() error { return c.d.check("cuMemcpyHtoD_v2", c.d.cuMemcpyHtoD(uint64(dst), src, uint64(n))) })
}

// MemcpyDtoH copies n bytes from src to host memory dst; it waits for earlier kernels.
func (c *Context) MemcpyDtoH(dst unsafe.Pointer, src DevicePtr, n int64) error {
	if n == 0 {
		return nil
	}
	return c.do(func() error { return c.d.check("cuMemcpyDtoH_v2", c.d.cuMemcpyDtoH(dst, uint64(src), uint64(n))) })
}

// Module is a loaded PTX module.
type Module struct {
	c *Context
	h uintptr
}

// JIT option codes (CUjit_option in cuda.h).
const (
	jitInfoLogBuffer           = 3
	jitInfoLogBufferSizeBytes  = 4
	jitErrorLogBuffer          = 5
	jitErrorLogBufferSizeBytes = 6
	jitLogVerbose              = 12
)

// LoadData JIT-compiles a PTX image into a module. A failure is a *PTXLoadError carrying
// the JIT's error log.
func (c *Context) LoadData(image string) (*Module, error) {
	img := append([]byte(image), 0)
	errLog := make([]byte, 1<<16)
	infoLog := make([]byte, 1<<14)
	// The option values array holds the log buffers' addresses, so the buffers are pinned
	// (Go's pointer-passing rules), and the sizes, which the driver overwrites with the
	// number of bytes it wrote.
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&errLog[0])
	pin.Pin(&infoLog[0])
	opts := []int32{jitErrorLogBuffer, jitErrorLogBufferSizeBytes, jitInfoLogBuffer, jitInfoLogBufferSizeBytes, jitLogVerbose}
	vals := []uintptr{
		uintptr(unsafe.Pointer(&errLog[0])), uintptr(len(errLog)),
		uintptr(unsafe.Pointer(&infoLog[0])), uintptr(len(infoLog)),
		0,
	}
	var h uintptr
	var code int32
	err := c.do(func() error {
		code = c.d.cuModuleLoadDataEx(&h, &img[0], uint32(len(opts)), &opts[0], &vals[0])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if code != cudaSuccess {
		n := min(int(vals[1]), len(errLog))
		log := string(bytes.TrimRight(errLog[:n], "\x00"))
		if i := bytes.IndexByte([]byte(log), 0); i >= 0 {
			log = log[:i]
		}
		cerr, _ := c.d.check("cuModuleLoadDataEx", code).(*CUDAError)
		return nil, &PTXLoadError{Log: log, Err: cerr}
	}
	return &Module{c: c, h: h}, nil
}

// Unload unloads the module.
func (m *Module) Unload() error {
	return m.c.do(func() error { return m.c.d.check("cuModuleUnload", m.c.d.cuModuleUnload(m.h)) })
}

// Function is a kernel entry of a module.
type Function struct {
	m    *Module
	h    uintptr
	Name string
}

// Function looks up a kernel entry by name.
func (m *Module) Function(name string) (*Function, error) {
	var h uintptr
	cname := append([]byte(name), 0)
	err := m.c.do(func() error {
		return m.c.d.check("cuModuleGetFunction", m.c.d.cuModuleGetFunction(&h, m.h, &cname[0]))
	})
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", name, err)
	}
	return &Function{m: m, h: h, Name: name}, nil
}

// Dim3 is a grid or block shape.
type Dim3 struct{ X, Y, Z int }

// marshalArgs lays kernel arguments out one per 8-byte slot (little endian, so a 4-byte
// parameter reads its value from the slot's first bytes) and returns the slots and the
// kernelParams array of pointers to them. Accepted: DevicePtr, int32, uint32, float32,
// int64, uint64, float64.
func marshalArgs(args []any) ([]uint64, error) {
	slots := make([]uint64, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case DevicePtr:
			slots[i] = uint64(v)
		case int32:
			slots[i] = uint64(uint32(v))
		case uint32:
			slots[i] = uint64(v)
		case float32:
			slots[i] = uint64(math.Float32bits(v))
		case int64:
			slots[i] = uint64(v)
		case uint64:
			slots[i] = v
		case float64:
			slots[i] = math.Float64bits(v)
		default:
			return nil, fmt.Errorf("kernel argument %d: unsupported type %T", i, a)
		}
	}
	return slots, nil
}

// Launch starts the kernel on the null stream (asynchronously; Synchronize or a copy
// back waits for it).
func (f *Function) Launch(grid, block Dim3, sharedMem int, args ...any) error {
	for _, v := range []int{grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z} {
		if v <= 0 || v > math.MaxInt32 {
			return fmt.Errorf("launching %s: bad shape grid %v block %v", f.Name, grid, block)
		}
	}
	slots, err := marshalArgs(args)
	if err != nil {
		return fmt.Errorf("launching %s: %w", f.Name, err)
	}
	// kernelParams is a Go array of Go pointers into slots: the slots must be pinned.
	var pin runtime.Pinner
	defer pin.Unpin()
	params := make([]unsafe.Pointer, len(slots)+1)
	if len(slots) > 0 {
		pin.Pin(&slots[0])
		for i := range slots {
			params[i] = unsafe.Pointer(&slots[i])
		}
	}
	c := f.m.c
	err = c.do(func() error {
		return c.d.check("cuLaunchKernel", c.d.cuLaunchKernel(f.h,
			uint32(grid.X), uint32(grid.Y), uint32(grid.Z),
			uint32(block.X), uint32(block.Y), uint32(block.Z),
			uint32(sharedMem), 0, &params[0], nil))
	})
	runtime.KeepAlive(slots)
	if err != nil {
		return fmt.Errorf("launching %s: %w", f.Name, err)
	}
	return nil
}
