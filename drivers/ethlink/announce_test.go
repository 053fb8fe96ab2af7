// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package ethlink

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// TestAnnounce: an ARP announcement is one broadcast ARP request from
// the link's MAC address whose sender and target protocol addresses
// are both the address, and whose target MAC address is zero.
func TestAnnounce(t *testing.T) {
	dev := newFakeEth(7)
	l := NewLink(dev, [6]byte{})
	if err := l.Announce(netip.MustParseAddr("::ffff:10.77.0.2")); err != nil {
		t.Fatal(err)
	}
	if len(dev.tx) != 1 {
		t.Fatalf("sent %d frames, want 1", len(dev.tx))
	}
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // to everyone
		2, 0, 0, 0, 0, 7, // from the link
		0x08, 0x06, // ARP
		0, 1, 0x08, 0x00, 6, 4, // Ethernet, IPv4, their sizes
		0, 1, // a request
		2, 0, 0, 0, 0, 7, 10, 77, 0, 2, // sender
		0, 0, 0, 0, 0, 0, 10, 77, 0, 2, // target
	}
	if got := dev.tx[0]; !bytes.Equal(got, want) {
		t.Errorf("sent\n% x\nwant\n% x", got, want)
	}
	if a := header.ARP(dev.tx[0][header.EthernetMinimumSize:]); !a.IsValid() || a.Op() != header.ARPRequest {
		t.Errorf("gVisor does not read the frame as an ARP request")
	}
}

// TestAnnounceIPv6: IPv6 has no ARP; the error says so and nothing is
// sent.
func TestAnnounceIPv6(t *testing.T) {
	dev := newFakeEth(7)
	l := NewLink(dev, [6]byte{})
	err := l.Announce(netip.MustParseAddr("fe80::1"))
	if err == nil || !strings.Contains(err.Error(), "not an IPv4 address") {
		t.Errorf("Announce(fe80::1) = %v, want an error naming IPv4", err)
	}
	if len(dev.tx) != 0 {
		t.Errorf("sent %d frames, want none", len(dev.tx))
	}
}
