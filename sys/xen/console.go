// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package xen

// The PV console (io/console.h): one page (HVM_PARAM_CONSOLE_PFN, with
// HVM_PARAM_CONSOLE_EVTCHN) holding struct xencons_interface, two byte
// rings with free-running 32-bit indices taken modulo each ring's size
// (MASK_XENCONS_IDX). The guest produces into out and consumes from in.
const (
	XenconsInSize        = 1024
	XenconsOutSize       = 2048
	XenconsOffIn         = 0
	XenconsOffOut        = 1024
	XenconsOffInCons     = 3072
	XenconsOffInProd     = 3076
	XenconsOffOutCons    = 3080
	XenconsOffOutProd    = 3084
	XenconsOffConnection = 3088
	XenconsInterfaceSize = 3092 // with the padding after connection
	// Values of connection (XENCONSOLE_*): set by the backend.
	XenconsoleConnected    = 0
	XenconsoleDisconnected = 1
)

// XenconsInterface is struct xencons_interface.
type XenconsInterface struct {
	In         [XenconsInSize]byte
	Out        [XenconsOutSize]byte
	InCons     uint32
	InProd     uint32
	OutCons    uint32
	OutProd    uint32
	Connection uint8
	_          [3]byte
}
