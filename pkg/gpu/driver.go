package gpu

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// LibraryEnv names the environment variable that overrides the path of the CUDA driver
// library (default "libcuda.so.1", found by the dynamic loader). Tests point it at a fake.
const LibraryEnv = "SPECTRAL_LIBCUDA"

const defaultLibrary = "libcuda.so.1"

// ErrNoDriver: the CUDA driver library could not be loaded (no NVIDIA driver installed).
var ErrNoDriver = errors.New("no CUDA driver")

// ErrNoDevice: the driver loaded but reports no usable GPU.
var ErrNoDevice = errors.New("no CUDA device")

// CUDAError is a failed driver API call.
type CUDAError struct {
	Func string // the driver function, e.g. "cuMemAlloc_v2"
	Code int    // the CUresult
	Name string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Msg  string // the driver's description
}

func (e *CUDAError) Error() string {
	name := e.Name
	if name == "" {
		name = "CUDA error"
	}
	if e.Msg != "" {
		return fmt.Sprintf("%s: %s (%d): %s", e.Func, name, e.Code, e.Msg)
	}
	return fmt.Sprintf("%s: %s (%d)", e.Func, name, e.Code)
}

// PTXLoadError is a failure to load (JIT-compile) the embedded PTX, with the JIT log.
type PTXLoadError struct {
	Log string
	Err *CUDAError
}

func (e *PTXLoadError) Error() string {
	if e.Log == "" {
		return fmt.Sprintf("loading PTX: %v", e.Err)
	}
	return fmt.Sprintf("loading PTX: %v; JIT log: %s", e.Err, e.Log)
}

func (e *PTXLoadError) Unwrap() error { return e.Err }

// Driver result codes this package treats specially.
const (
	cudaSuccess            = 0
	cudaErrorNoDevice      = 100
	cudaErrorInvalidDevice = 101
)

// Driver is the CUDA driver API, loaded at run time from one library file.
type Driver struct {
	Path string // the library as passed to dlopen

	cuInit                    func(flags uint32) int32
	cuDriverGetVersion        func(v *int32) int32
	cuDeviceGetCount          func(n *int32) int32
	cuDeviceGet               func(dev *int32, ordinal int32) int32
	cuDeviceGetName           func(name *byte, length int32, dev int32) int32
	cuDeviceGetAttribute      func(v *int32, attr int32, dev int32) int32
	cuDeviceTotalMem          func(bytes *uint64, dev int32) int32
	cuDevicePrimaryCtxRetain  func(ctx *uintptr, dev int32) int32
	cuDevicePrimaryCtxRelease func(dev int32) int32
	cuCtxSetCurrent           func(ctx uintptr) int32
	cuCtxSynchronize          func() int32
	cuModuleLoadDataEx        func(mod *uintptr, image *byte, n uint32, opts *int32, vals *uintptr) int32
	cuModuleUnload            func(mod uintptr) int32
	cuModuleGetFunction       func(fn *uintptr, mod uintptr, name *byte) int32
	cuMemAlloc                func(ptr *uint64, size uint64) int32
	cuMemFree                 func(ptr uint64) int32
	cuMemcpyHtoD              func(dst uint64, src unsafe.Pointer, n uint64) int32
	cuMemcpyDtoH              func(dst unsafe.Pointer, src uint64, n uint64) int32
	cuLaunchKernel            func(f uintptr, gx, gy, gz, bx, by, bz, shared uint32, stream uintptr, params *unsafe.Pointer, extra *unsafe.Pointer) int32
	cuGetErrorName            func(code int32, s **byte) int32
	cuGetErrorString          func(code int32, s **byte) int32
}

var (
	driversMu sync.Mutex
	drivers   = map[string]*Driver{}
)

// LibraryPath is the driver library Load opens: $SPECTRAL_LIBCUDA, else libcuda.so.1.
func LibraryPath() string {
	if p := os.Getenv(LibraryEnv); p != "" {
		return p
	}
	return defaultLibrary
}

// Load opens the CUDA driver library (LibraryPath) once per path and binds its functions.
// Without the library the error wraps ErrNoDriver.
func Load() (*Driver, error) { return LoadLibrary(LibraryPath()) }

// LoadLibrary is Load for an explicit library path.
func LoadLibrary(path string) (*Driver, error) {
	driversMu.Lock()
	defer driversMu.Unlock()
	if d, ok := drivers[path]; ok {
		return d, nil
	}
	d, err := bind(path)
	if err != nil {
		return nil, err
	}
	drivers[path] = d
	return d, nil
}

// symbols lists the driver functions and the names they are exported under (the _v2
// names are what cuda.h maps the plain names to since CUDA 3.2 / 11.0).
func (d *Driver) symbols() []struct {
	fn    any
	names []string
} {
	return []struct {
		fn    any
		names []string
	}{
		{&d.cuInit, []string{"cuInit"}},
		{&d.cuDriverGetVersion, []string{"cuDriverGetVersion"}},
		{&d.cuDeviceGetCount, []string{"cuDeviceGetCount"}},
		{&d.cuDeviceGet, []string{"cuDeviceGet"}},
		{&d.cuDeviceGetName, []string{"cuDeviceGetName"}},
		{&d.cuDeviceGetAttribute, []string{"cuDeviceGetAttribute"}},
		{&d.cuDeviceTotalMem, []string{"cuDeviceTotalMem_v2"}},
		{&d.cuDevicePrimaryCtxRetain, []string{"cuDevicePrimaryCtxRetain"}},
		{&d.cuDevicePrimaryCtxRelease, []string{"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"}},
		{&d.cuCtxSetCurrent, []string{"cuCtxSetCurrent"}},
		{&d.cuCtxSynchronize, []string{"cuCtxSynchronize"}},
		{&d.cuModuleLoadDataEx, []string{"cuModuleLoadDataEx"}},
		{&d.cuModuleUnload, []string{"cuModuleUnload"}},
		{&d.cuModuleGetFunction, []string{"cuModuleGetFunction"}},
		{&d.cuMemAlloc, []string{"cuMemAlloc_v2"}},
		{&d.cuMemFree, []string{"cuMemFree_v2"}},
		{&d.cuMemcpyHtoD, []string{"cuMemcpyHtoD_v2"}},
		{&d.cuMemcpyDtoH, []string{"cuMemcpyDtoH_v2"}},
		{&d.cuLaunchKernel, []string{"cuLaunchKernel"}},
		{&d.cuGetErrorName, []string{"cuGetErrorName"}},
		{&d.cuGetErrorString, []string{"cuGetErrorString"}},
	}
}

// check turns a CUresult into nil or a *CUDAError named after the call.
func (d *Driver) check(fn string, code int32) error {
	if code == cudaSuccess {
		return nil
	}
	e := &CUDAError{Func: fn, Code: int(code)}
	var s *byte
	if d.cuGetErrorName(code, &s) == cudaSuccess {
		e.Name = cString(s)
	}
	s = nil
	if d.cuGetErrorString(code, &s) == cudaSuccess {
		e.Msg = cString(s)
	}
	return e
}

// cString copies a NUL-terminated C string owned by the driver.
func cString(p *byte) string {
	if p == nil {
		return ""
	}
	var b []byte
	for i := 0; i < 4096; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(p), i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

// Init initialises the driver (cuInit). A driver without a device yields ErrNoDevice.
func (d *Driver) Init() error {
	code := d.cuInit(0)
	if code == cudaErrorNoDevice {
		return fmt.Errorf("%w: %v", ErrNoDevice, d.check("cuInit", code))
	}
	return d.check("cuInit", code)
}

// Version is the driver's CUDA version, e.g. 13000 for 13.0.
func (d *Driver) Version() (int, error) {
	var v int32
	if err := d.check("cuDriverGetVersion", d.cuDriverGetVersion(&v)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// NumDevices is the number of CUDA devices.
func (d *Driver) NumDevices() (int, error) {
	var n int32
	code := d.cuDeviceGetCount(&n)
	if code == cudaErrorNoDevice {
		return 0, nil
	}
	if err := d.check("cuDeviceGetCount", code); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Device is one GPU, by driver handle.
type Device struct {
	d *Driver
	h int32
}

// DeviceAttribute is a CUdevice_attribute.
type DeviceAttribute int32

// The attributes this package reads (values from cuda.h).
const (
	AttrMaxThreadsPerBlock     DeviceAttribute = 1
	AttrClockRate              DeviceAttribute = 13
	AttrMultiprocessorCount    DeviceAttribute = 16
	AttrComputeCapabilityMajor DeviceAttribute = 75
	AttrComputeCapabilityMinor DeviceAttribute = 76
)

// Device returns the device with the given ordinal; out of range wraps ErrNoDevice.
func (d *Driver) Device(ordinal int) (Device, error) {
	n, err := d.NumDevices()
	if err != nil {
		return Device{}, err
	}
	if ordinal < 0 || ordinal >= n {
		return Device{}, fmt.Errorf("%w: device %d requested, the driver reports %d", ErrNoDevice, ordinal, n)
	}
	var h int32
	if err := d.check("cuDeviceGet", d.cuDeviceGet(&h, int32(ordinal))); err != nil {
		return Device{}, err
	}
	return Device{d: d, h: h}, nil
}

// Name is the device's marketing name, e.g. "NVIDIA H200".
func (dev Device) Name() (string, error) {
	buf := make([]byte, 256)
	if err := dev.d.check("cuDeviceGetName", dev.d.cuDeviceGetName(&buf[0], int32(len(buf)), dev.h)); err != nil {
		return "", err
	}
	return cString(&buf[0]), nil
}

// Attribute reads one device attribute.
func (dev Device) Attribute(a DeviceAttribute) (int, error) {
	var v int32
	if err := dev.d.check("cuDeviceGetAttribute", dev.d.cuDeviceGetAttribute(&v, int32(a), dev.h)); err != nil {
		return 0, err
	}
	return int(v), nil
}

// TotalMem is the device memory in bytes.
func (dev Device) TotalMem() (uint64, error) {
	var b uint64
	if err := dev.d.check("cuDeviceTotalMem_v2", dev.d.cuDeviceTotalMem(&b, dev.h)); err != nil {
		return 0, err
	}
	return b, nil
}
