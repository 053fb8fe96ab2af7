// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build solo5

package netstack

import ns "mirago.dev/drivers/netstack"

// GOOS=solo5 has no network device driver yet: only loopback.

type ethernet struct {
	dev ns.Ethernet
}

func hasEthernet() bool { return false }

func openEthernet() (*ethernet, error) { return nil, nil }

func (e *ethernet) run(link *ns.Link) {}
