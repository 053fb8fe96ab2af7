// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build solo5

package netstack

import "internal/devices"

// The network device of GOOS=solo5: the NET_BASIC device of the
// image's manifest, which the linker declares for a program that links
// package net and the tender attaches to a tap device
// (internal/devices/net_solo5.go).

func hasEthernet() bool { return devices.HasSolo5Network() }

// openEthernet returns the network device, or nil if the image
// declares none. A declared device that is not attached is an error,
// which setup reports in one line before it goes on with loopback only.
func openEthernet() (*nic, error) {
	n, intr, err := devices.OpenSolo5Network()
	if n == nil || err != nil {
		return nil, err
	}
	return &nic{dev: n, intr: intr}, nil
}
