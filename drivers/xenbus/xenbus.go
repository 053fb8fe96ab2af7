// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package xenbus runs the frontend half of the xenbus handshake by
// which a Xen split device connects (xen/include/public/io/xenbus.h and
// the protocol notes in io/netif.h and io/blkif.h): each end has a
// directory in xenstore with a "state" key; the frontend finds its
// backend's directory and domain, publishes what the backend needs
// (ring references, event channel, features) and steps through
// Initialising, Initialised or Connected, waiting for the backend to
// reach Connected; either end's Closing starts the teardown.
//
// The toolstack creates the frontend's directory (for example
// device/vif/0 under the domain's home) with "backend" and "backend-id";
// the backend driver in the backend domain watches the frontend's state.
//
// Timeouts are int64 nanoseconds, measured by the xenstore client's
// clock: the package does not import time, because the standard
// library vendors it below package syscall.
package xenbus

import (
	"strconv"
	"strings"

	"mirago.dev/drivers/gnttab"
	"mirago.dev/drivers/xenring"
	"mirago.dev/drivers/xenstore"
	"mirago.dev/sys/xen"
)

// State is a xenbus state (enum xenbus_state).
type State int

const (
	Unknown       State = xen.XenbusStateUnknown
	Initialising  State = xen.XenbusStateInitialising
	InitWait      State = xen.XenbusStateInitWait
	Initialised   State = xen.XenbusStateInitialised
	Connected     State = xen.XenbusStateConnected
	Closing       State = xen.XenbusStateClosing
	Closed        State = xen.XenbusStateClosed
	Reconfiguring State = xen.XenbusStateReconfiguring
	Reconfigured  State = xen.XenbusStateReconfigured
)

var stateNames = [...]string{"Unknown", "Initialising", "InitWait", "Initialised", "Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Error is the type of the package's errors.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrNoBackend is returned by Open when the frontend's directory
	// names no usable backend.
	ErrNoBackend = Error("xenbus: no backend for the device")
	// ErrTimeout is returned when the backend did not reach the
	// wanted state in time.
	ErrTimeout = Error("xenbus: timed out waiting for the backend")
	// ErrBackendClosed is returned when the backend is closing or
	// closed while the frontend waits for something else.
	ErrBackendClosed = Error("xenbus: backend closed the device")
	// ErrBadValue is returned for a key whose value does not parse.
	ErrBadValue = Error("xenbus: malformed value in xenstore")
)

// KV is one key the frontend publishes, relative to its directory.
type KV struct{ Key, Value string }

// A Frontend is one device's frontend directory and its link to the
// backend's.
type Frontend struct {
	store     *xenstore.Client
	node      string // the frontend's directory, as given to Open
	backend   string // the backend's directory, absolute
	backendID uint16
	watch     *xenstore.Watch
}

// A Device says where a PV device's frontend is and what the
// hypervisor gives its driver: what every frontend's configuration
// (netfront's, blkfront's) starts with.
type Device struct {
	Store  *xenstore.Client
	Node   string // the frontend's directory, such as "device/vif/0"
	Grants *gnttab.Table
	Events xenring.EventChannels
	// Frame gives a page's frame number; nil means
	// gnttab.IdentityFrame.
	Frame func(page []byte) uint64
	// Timeout bounds each wait for the backend during setup and
	// Close, in nanoseconds; 0 means 10 seconds, and < 0 waits for
	// ever.
	Timeout int64
}

// DefaultTimeout is a Device's Timeout when it is 0: 10 seconds.
const DefaultTimeout = 10e9

// Open fills in d's defaults and opens its frontend (see Open).
func (d *Device) Open() (*Frontend, error) {
	if d.Timeout == 0 {
		d.Timeout = DefaultTimeout
	}
	if d.Frame == nil {
		d.Frame = gnttab.IdentityFrame
	}
	return Open(d.Store, d.Node)
}

// Open reads the device's backend path and domain from node (such as
// "device/vif/0"), watches the backend's state, and sets the
// frontend's state to Initialising.
func Open(store *xenstore.Client, node string) (*Frontend, error) {
	node = strings.TrimSuffix(node, "/")
	be, err := store.Read(node + "/backend")
	if err == xenstore.ENOENT {
		return nil, ErrNoBackend
	}
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(be, "/") || len(be) < 2 || strings.Contains(be, "\x00") {
		return nil, ErrNoBackend
	}
	idStr, err := store.Read(node + "/backend-id")
	if err != nil {
		if err == xenstore.ENOENT {
			return nil, ErrNoBackend
		}
		return nil, err
	}
	id, err := strconv.ParseUint(idStr, 10, 16)
	if err != nil || id >= xen.DomidFirstReserved {
		return nil, ErrNoBackend
	}
	f := &Frontend{store: store, node: node, backend: strings.TrimSuffix(be, "/"), backendID: uint16(id)}
	if f.watch, err = store.Watch(f.backend + "/state"); err != nil {
		return nil, err
	}
	if err := f.SetState(Initialising); err != nil {
		f.watch.Close()
		return nil, err
	}
	return f, nil
}

// Node returns the frontend's directory.
func (f *Frontend) Node() string { return f.node }

// Backend returns the backend's directory.
func (f *Frontend) Backend() string { return f.backend }

// BackendID returns the backend's domain id: the domain to grant pages
// to and to bind event channels with.
func (f *Frontend) BackendID() uint16 { return f.backendID }

// Store returns the xenstore client.
func (f *Frontend) Store() *xenstore.Client { return f.store }

// Read returns a key of the frontend's directory (such as "mac").
func (f *Frontend) Read(key string) (string, error) { return f.store.Read(f.node + "/" + key) }

// ReadBackend returns a key of the backend's directory.
func (f *Frontend) ReadBackend(key string) (string, error) {
	return f.store.Read(f.backend + "/" + key)
}

// ReadBackendUint returns a backend key as an unsigned decimal number.
func (f *Frontend) ReadBackendUint(key string) (uint64, error) {
	s, err := f.ReadBackend(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, ErrBadValue
	}
	return n, nil
}

// BackendFeature reports whether the backend set a boolean key to 1; a
// missing or malformed key is false.
func (f *Frontend) BackendFeature(key string) bool {
	n, err := f.ReadBackendUint(key)
	return err == nil && n == 1
}

func parseState(s string) State {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 8)
	if err != nil || n > xen.XenbusStateReconfigured {
		return Unknown
	}
	return State(n)
}

// BackendState reads the backend's state; a missing or malformed state
// reads as Unknown.
func (f *Frontend) BackendState() (State, error) {
	s, err := f.ReadBackend("state")
	if err == xenstore.ENOENT {
		return Unknown, nil
	}
	if err != nil {
		return Unknown, err
	}
	return parseState(s), nil
}

// State reads the frontend's own state.
func (f *Frontend) State() (State, error) {
	s, err := f.Read("state")
	if err != nil {
		return Unknown, err
	}
	return parseState(s), nil
}

// SetState writes the frontend's state.
func (f *Frontend) SetState(s State) error {
	return f.store.Write(f.node+"/state", strconv.Itoa(int(s)))
}

// Publish writes keys into the frontend's directory and sets its state,
// all in one transaction, so the backend never sees the state without
// the keys.
func (f *Frontend) Publish(keys []KV, s State) error {
	return f.store.Transaction(func(tx *xenstore.Tx) error {
		for _, kv := range keys {
			if err := tx.Write(f.node+"/"+kv.Key, kv.Value); err != nil {
				return err
			}
		}
		return tx.Write(f.node+"/state", strconv.Itoa(int(s)))
	})
}

// WaitBackend waits until the backend's state is one of want, and
// returns it. If the backend is Closing or Closed (and neither is
// wanted) it returns ErrBackendClosed; after timeout nanoseconds,
// ErrTimeout. A timeout < 0 waits for ever.
func (f *Frontend) WaitBackend(timeout int64, want ...State) (State, error) {
	return f.wait(timeout, true, want)
}

func (f *Frontend) wait(timeout int64, failOnClose bool, want []State) (State, error) {
	now := f.store.Now()
	deadline := now + timeout
	if deadline < now {
		timeout = -1 // too far to tell from for ever
	}
	for {
		s, err := f.BackendState()
		if err != nil {
			return s, err
		}
		for _, w := range want {
			if s == w {
				return s, nil
			}
		}
		if failOnClose && (s == Closing || s == Closed) {
			return s, ErrBackendClosed
		}
		left := int64(-1)
		if timeout >= 0 {
			if left = deadline - f.store.Now(); left <= 0 {
				return s, ErrTimeout
			}
		}
		// On a change or a timeout, look at the state again.
		if _, err := f.watch.Next(left); err == xenstore.ErrWatchClosed {
			if err := f.store.Err(); err != nil {
				return s, err
			}
			return s, ErrBackendClosed
		}
	}
}

// Changes returns the channel on which the backend's state changes are
// signalled (a path per change; read BackendState for the state). A
// driver watches it to notice the backend closing.
func (f *Frontend) Changes() <-chan string { return f.watch.C() }

// Close runs the frontend's side of the teardown: state Closing, a wait
// (up to timeout nanoseconds; < 0 waits for ever) for the backend to reach Closed (or vanish), state
// Closed, and the watch removed. The device's grants may be ended only
// after the backend has closed; if Close returns ErrTimeout the backend
// may still hold them.
func (f *Frontend) Close(timeout int64) error {
	if err := f.SetState(Closing); err != nil {
		return err
	}
	_, err := f.wait(timeout, false, []State{Closed, Unknown})
	if err2 := f.SetState(Closed); err == nil {
		err = err2
	}
	f.watch.Close()
	return err
}
