// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build solo5

package netstack

import (
	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/ethlink"
)

// GOOS=solo5 has no network device driver yet: only loopback.

type nic struct {
	dev ethernet.Device
}

func hasEthernet() bool { return false }

func openEthernet() (*nic, error) { return nil, nil }

func (e *nic) run(link *ethlink.Link) {}
