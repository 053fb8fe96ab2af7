// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"unsafe"

	"mirago.dev/drivers/solo5net"
	"mirago.dev/sys/solo5"
)

// Solo5's devices. The image's manifest names the devices it wants
// (the linker adds a NET_BASIC device, "service0", to a program that
// links package net); the tender attaches each to a host descriptor,
// writes the device's properties into its copy of the manifest, and
// passes that in the boot information. A device's handle is its index
// in the manifest, and the runtime moves frames and blocks by handle:
// by system calls on the host descriptor under spt, by hypercalls
// under hvt.
//
// Under spt the tender has made a network device's descriptor
// non-blocking and put it in its epoll set; under hvt the tender's
// poll hypercall reports it. The runtime waits for either when it is
// idle and raises the line numbered by the handle for each ready
// device (runtime/os_solo5.go), so a driver waits for its
// device as it would for an interrupt.

// Provided by the runtime (os_solo5.go).

// solo5Manifest returns the tender's manifest, or nil.
func solo5Manifest() unsafe.Pointer

// solo5NetRead and solo5NetWrite read and write a frame on the network
// device with handle h; they return a length or a negated errno.
func solo5NetRead(h int, p unsafe.Pointer, n int) int
func solo5NetWrite(h int, p unsafe.Pointer, n int) int

// manifest decodes the tender's manifest.
func manifest() (solo5.Manifest, error) {
	p := solo5Manifest()
	if p == nil {
		return solo5.Manifest{}, Error("solo5: no manifest in the boot information")
	}
	hdr := unsafe.Slice((*byte)(p), solo5.ManifestHeaderSize)
	n := int(hdr[4]) | int(hdr[5])<<8 | int(hdr[6])<<16 | int(hdr[7])<<24
	if n > solo5.MaxEntries {
		return solo5.Manifest{}, solo5.ErrManifest
	}
	return solo5.DecodeManifest(unsafe.Slice((*byte)(p), solo5.ManifestSize(n)))
}

// firstDevice returns the manifest's first entry of type typ, other
// than those named in skip, and its handle, or -1 if there is none.
func firstDevice(typ solo5.DevType, skip ...string) (solo5.Entry, int, error) {
	m, err := manifest()
	if err != nil {
		return solo5.Entry{}, -1, err
	}
next:
	for i, e := range m.Entries {
		if e.Type != typ {
			continue
		}
		for _, name := range skip {
			if e.Name == name {
				continue next
			}
		}
		return e, i, nil
	}
	return solo5.Entry{}, -1, nil
}

// netDevice returns the manifest's first NET_BASIC entry and its
// handle, or -1 if there is none.
func netDevice() (solo5.Entry, int, error) { return firstDevice(solo5.DevNetBasic) }

// HasSolo5Network reports whether the image declares a network device.
func HasSolo5Network() bool {
	_, h, _ := netDevice()
	return h > 0
}

// OpenSolo5Network returns the image's network device and the line
// that tells its driver frames have arrived, or nil if the image
// declares none. A declared device the tender did not attach is an
// error: Solo5's tenders refuse to start such an image, but another
// tender might not.
func OpenSolo5Network() (*solo5net.Net, *Interrupt, error) {
	e, h, err := netDevice()
	if h <= 0 || err != nil {
		return nil, nil, err
	}
	name := "eth0: Solo5 NET_BASIC device " + e.Name
	if !e.Attached {
		return nil, nil, Error(name + " is not attached (the tender's --net:" + e.Name + "=TAP)")
	}
	n, err := solo5net.New(netPort(h), e.NetMAC, int(e.NetMTU))
	if err != nil {
		return nil, nil, Error(name + ": " + err.Error())
	}
	// epoll reports the descriptor for as long as it has frames to
	// read, as a level-triggered line stays up until the device is
	// served: there is nothing to acknowledge.
	return n, &Interrupt{line: Line{line: h}, routed: true, ack: func() {}}, nil
}

// netPort is a network device's handle. It implements solo5net.Port.
type netPort int

func (h netPort) Read(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	return solo5NetRead(int(h), unsafe.Pointer(&p[0]), len(p))
}

func (h netPort) Write(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	return solo5NetWrite(int(h), unsafe.Pointer(&p[0]), len(p))
}
