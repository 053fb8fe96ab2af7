// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package devices

import (
	"internal/strconv"
	"sync"
	"unsafe"

	"mirago.dev/drivers/blkfront"
	"mirago.dev/drivers/gnttab"
	"mirago.dev/drivers/netfront"
	"mirago.dev/drivers/xenbus"
	"mirago.dev/drivers/xenring"
	"mirago.dev/drivers/xenstore"
	"mirago.dev/sys/xen"
)

// Xen's PV devices: on the Xen platform, devices are found in xenstore
// and driven over shared rings (mirago.dev/drivers/netfront, blkfront).
// This file gives those drivers what they need of the machine: event
// channels that a goroutine can wait on, the grant table, and the
// xenstore client. Each is set up on first use.

// Provided by the runtime (machine_xen_xen.go).

// xenHypercall makes hypercall op(cmd, arg, count) and returns Xen's
// result, 0 or a negated errno; off Xen it returns -ENOSYS. count is
// for the operations that take an array (GNTTABOP_*); others ignore
// it.
func xenHypercall(op, cmd uintptr, arg unsafe.Pointer, count uintptr) uintptr

// nanotime is the runtime's monotonic clock, in nanoseconds.
func nanotime() int64

// xenEventChannelLine makes event channel port an interrupt line that
// waitIRQ waits on, and returns it; 0 if it cannot.
func xenEventChannelLine(port uint32) int

// OnXen reports whether the machine is a Xen domain, whose devices are
// Xen's PV devices.
func OnXen() bool { return platform() == "xen" }

// xenError is a failed hypercall.
type xenError struct {
	op    string
	errno int64
}

func (e *xenError) Error() string {
	return "xen: " + e.op + " failed: Xen error -" + strconv.Itoa(int(e.errno))
}

func xenCall(what string, op, cmd uintptr, arg unsafe.Pointer) error {
	if rc := int64(xenHypercall(op, cmd, arg, 1)); rc != 0 {
		return &xenError{what, -rc}
	}
	return nil
}

// An eventChannel is a port of this domain, bound to one of the
// runtime's interrupt lines. It implements xenring.EventChannel.
type eventChannel struct {
	port uint32
	line int
}

func newEventChannel(port uint32) (*eventChannel, error) {
	line := xenEventChannelLine(port)
	if line == 0 {
		return nil, Error("xen: no interrupt line left for event channel " + strconv.Itoa(int(port)))
	}
	return &eventChannel{port: port, line: line}, nil
}

func (e *eventChannel) Port() uint32 { return e.port }

func (e *eventChannel) Notify() {
	arg := xen.EvtchnPortArg{Port: e.port}
	xenHypercall(xen.HypercallEventChannelOp, xen.EvtchnOpSend, unsafe.Pointer(&arg), 0)
}

// Wait unmasks the port and waits for an event, up to timeout
// nanoseconds (for ever if timeout < 0). An event that came since the
// last Wait ends it at once: the runtime keeps it pending on the line.
func (e *eventChannel) Wait(timeout int64) bool {
	return waitIRQ(e.line, timeout)
}

// Interrupt returns the event channel as a device interrupt, for a
// driver loop (Serve). Xen's event channels need no acknowledgment.
func (e *eventChannel) Interrupt() *Interrupt {
	return &Interrupt{line: Line{line: e.line}, routed: true, ack: func() {}}
}

// EventChannelInterrupt returns ev, an event channel this package
// made, as a device interrupt; nil for any other.
func EventChannelInterrupt(ev xenring.EventChannel) *Interrupt {
	if e, ok := ev.(*eventChannel); ok {
		return e.Interrupt()
	}
	return nil
}

// eventChannels allocates ports for frontends. It implements
// xenring.EventChannels.
type eventChannels struct{}

func (eventChannels) AllocUnbound(remote uint16) (xenring.EventChannel, error) {
	arg := xen.EvtchnAllocUnbound{Dom: xen.DomidSelf, RemoteDom: remote}
	if err := xenCall("EVTCHNOP_alloc_unbound", xen.HypercallEventChannelOp, xen.EvtchnOpAllocUnbound, unsafe.Pointer(&arg)); err != nil {
		return nil, err
	}
	return newEventChannel(arg.Port)
}

// XenEventChannels allocates event channels for Xen frontends.
var XenEventChannels xenring.EventChannels = eventChannels{}

func hvmParam(index uint32) (uint64, error) {
	p := xen.HVMParam{Domid: xen.DomidSelf, Index: index}
	err := xenCall("HVMOP_get_param", xen.HypercallHVMOp, xen.HVMOpGetParam, unsafe.Pointer(&p))
	return p.Value, err
}

// Xenstore returns the client of the domain's xenstore ring, connecting
// it on the first call.
func Xenstore() (*xenstore.Client, error) {
	return xenstoreOnce()
}

var xenstoreOnce = sync.OnceValues(func() (*xenstore.Client, error) {
	if !OnXen() {
		return nil, Error("xenstore: not a Xen domain")
	}
	pfn, err := hvmParam(xen.HVMParamStorePFN)
	if err != nil {
		return nil, err
	}
	port, err := hvmParam(xen.HVMParamStoreEvtchn)
	if err != nil {
		return nil, err
	}
	if pfn == 0 || port == 0 {
		return nil, Error("xenstore: the domain has no xenstore ring")
	}
	ev, err := newEventChannel(uint32(port))
	if err != nil {
		return nil, err
	}
	page := unsafe.Slice((*byte)(unsafe.Pointer(uintptr(pfn<<xen.PageShift))), xen.PageSize)
	return xenstore.New(page, ev, nanotime)
})

// grantFrames is how many frames of grant table the domain maps: 512
// references each, enough for a network and a block device with their
// rings and buffers in flight.
const grantFrames = 8

// GrantTable returns the domain's grant table, mapping it on the
// first call.
func GrantTable() (*gnttab.Table, error) {
	return grantTableOnce()
}

var grantTableOnce = sync.OnceValues(func() (*gnttab.Table, error) {
	if !OnXen() {
		return nil, Error("grant table: not a Xen domain")
	}
	q := xen.GnttabQuerySize{Dom: xen.DomidSelf}
	if err := xenCall("GNTTABOP_query_size", xen.HypercallGrantTableOp, xen.GnttabOpQuerySize, unsafe.Pointer(&q)); err != nil {
		return nil, err
	}
	n := min(grantFrames, int(q.MaxNrFrames))
	if n == 0 {
		return nil, Error("grant table: Xen allows this domain no frames")
	}
	// Xen replaces these pages of our RAM with the table's frames;
	// the slice keeps them from ever being reused by the heap.
	pages := gnttab.AllocPages(n)
	for i := 0; i < n; i++ {
		a := xen.AddToPhysmap{
			Domid: xen.DomidSelf,
			Space: xen.XenmapspaceGrantTable,
			Idx:   uint64(i),
			GPFN:  gnttab.IdentityFrame(pages[i*xen.PageSize:]),
		}
		if err := xenCall("XENMEM_add_to_physmap(grant_table)", xen.HypercallMemoryOp, xen.XenmemAddToPhysmap, unsafe.Pointer(&a)); err != nil {
			return nil, err
		}
	}
	grantPages = pages
	return gnttab.New(pages, xen.GnttabNrReservedEntries)
})

// grantPages holds the grant table's frames for the program's life.
var grantPages []byte

// xenDevices returns the frontend directories of the domain's devices
// of class ("vif", "vbd"), in xenstore's order (by device id).
func xenDevices(class string) []string {
	store, err := Xenstore()
	if err != nil {
		return nil
	}
	ids, err := store.Directory("device/" + class)
	if err != nil {
		return nil
	}
	nodes := make([]string, len(ids))
	for i, id := range ids {
		nodes[i] = "device/" + class + "/" + id
	}
	return nodes
}

// HasXenNetwork reports whether the domain has a network device (a
// vif), without setting it up.
func HasXenNetwork() bool { return OnXen() && len(xenDevices("vif")) > 0 }

// OpenXenNetwork sets up netfront on the domain's first vif and returns
// it with its interrupt; nil if there is none.
func OpenXenNetwork() (*netfront.Net, *Interrupt, error) {
	nodes := xenDevices("vif")
	if len(nodes) == 0 {
		return nil, nil, nil
	}
	store, err := Xenstore()
	if err != nil {
		return nil, nil, err
	}
	grants, err := GrantTable()
	if err != nil {
		return nil, nil, err
	}
	n, err := netfront.New(netfront.Config{Device: xenbus.Device{Store: store, Node: nodes[0], Grants: grants, Events: XenEventChannels}})
	if err != nil {
		return nil, nil, Error("eth0: netfront (" + nodes[0] + "): " + err.Error())
	}
	return n, EventChannelInterrupt(n.EventChannel()), nil
}

// hasXenDisk reports whether the domain has a block device (a vbd).
func hasXenDisk() bool { return len(xenDevices("vbd")) > 0 }

// openBlkfront sets up blkfront on the domain's first vbd, or returns
// nil if there is none.
func openBlkfront() (*Disk, error) {
	nodes := xenDevices("vbd")
	if len(nodes) == 0 {
		return nil, nil
	}
	store, err := Xenstore()
	if err != nil {
		return nil, err
	}
	grants, err := GrantTable()
	if err != nil {
		return nil, err
	}
	name := "blkfront (" + nodes[0] + ")"
	d, err := blkfront.New(blkfront.Config{
		Device:         xenbus.Device{Store: store, Node: nodes[0], Grants: grants, Events: XenEventChannels},
		RequestTimeout: diskTimeout,
	})
	if err != nil {
		return nil, Error(name + ": " + err.Error())
	}
	return newDisk(d, name), nil
}
