package gpu

import "fmt"

// DeviceInfo describes a GPU as the driver reports it.
type DeviceInfo struct {
	Ordinal           int    `json:"ordinal"`
	Name              string `json:"name"`
	ComputeCapability [2]int `json:"compute_capability"` // major, minor
	Multiprocessors   int    `json:"multiprocessors"`
	TotalMemory       uint64 `json:"total_memory_bytes"`
	DriverVersion     int    `json:"driver_version"` // e.g. 13000 for CUDA 13.0
	Library           string `json:"library"`        // the driver library loaded
}

func (i DeviceInfo) String() string {
	return fmt.Sprintf("%s (device %d, compute %d.%d, %d SMs, %.1f GiB, CUDA driver %d.%d)",
		i.Name, i.Ordinal, i.ComputeCapability[0], i.ComputeCapability[1], i.Multiprocessors,
		float64(i.TotalMemory)/(1<<30), i.DriverVersion/1000, i.DriverVersion%1000/10)
}

// Probe reports the first GPU, for --device auto: ErrNoDriver (wrapped) without the driver
// library, ErrNoDevice without a device or with one older than the PTX needs (sm_70).
func Probe() (DeviceInfo, error) {
	_, _, info, err := open(0)
	return info, err
}

// open loads and initialises the driver and describes device ordinal.
func open(ordinal int) (*Driver, Device, DeviceInfo, error) {
	d, err := Load()
	if err != nil {
		return nil, Device{}, DeviceInfo{}, fmt.Errorf("gpu: %w", err)
	}
	if err := d.Init(); err != nil {
		return nil, Device{}, DeviceInfo{}, fmt.Errorf("gpu: %s: %w", d.Path, err)
	}
	dev, err := d.Device(ordinal)
	if err != nil {
		return nil, Device{}, DeviceInfo{}, fmt.Errorf("gpu: %w", err)
	}
	info := DeviceInfo{Ordinal: ordinal, Library: d.Path}
	if info.Name, err = dev.Name(); err == nil {
		info.DriverVersion, err = d.Version()
	}
	if err == nil {
		info.TotalMemory, err = dev.TotalMem()
	}
	for _, a := range []struct {
		dst  *int
		attr DeviceAttribute
	}{
		{&info.ComputeCapability[0], AttrComputeCapabilityMajor},
		{&info.ComputeCapability[1], AttrComputeCapabilityMinor},
		{&info.Multiprocessors, AttrMultiprocessorCount},
	} {
		if err == nil {
			*a.dst, err = dev.Attribute(a.attr)
		}
	}
	if err != nil {
		return nil, Device{}, DeviceInfo{}, fmt.Errorf("gpu: device %d: %w", ordinal, err)
	}
	if cc := 10*info.ComputeCapability[0] + info.ComputeCapability[1]; cc < minComputeCapability {
		return nil, Device{}, info, fmt.Errorf("gpu: %w: %s has compute capability %d.%d, the kernels need 7.0 or newer",
			ErrNoDevice, info.Name, info.ComputeCapability[0], info.ComputeCapability[1])
	}
	return d, dev, info, nil
}
