// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"net"
	"testing"
)

// query builds a DNS query for name and qtype with ID 0x1234 and RD set.
func query(name string, qtype byte) []byte {
	q := []byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range bytes.Split([]byte(name), []byte(".")) {
		q = append(q, byte(len(l)))
		q = append(q, l...)
	}
	return append(q, 0, 0, qtype, 0, 1)
}

func TestDNSAnswer(t *testing.T) {
	names := map[string]net.IP{"host.test": net.IPv4(10, 99, 0, 77).To4()}
	resp := dnsAnswer(query("Host.Test", 1), names)
	if resp == nil || resp[0] != 0x12 || resp[1] != 0x34 || resp[2]&0x80 == 0 || resp[3]&0x0f != 0 || resp[7] != 1 {
		t.Fatalf("A query: response %x, want ID 1234, QR, NOERROR, one answer", resp)
	}
	if !bytes.HasSuffix(resp, []byte{0, 4, 10, 99, 0, 77}) {
		t.Errorf("A query: response %x does not end with the address", resp)
	}
	resp = dnsAnswer(query("other.test", 1), names)
	if resp == nil || resp[3]&0x0f != 3 || resp[7] != 0 {
		t.Errorf("unknown name: response %x, want NXDOMAIN and no answer", resp)
	}
	resp = dnsAnswer(query("host.test", 28), names)
	if resp == nil || resp[3]&0x0f != 0 || resp[7] != 0 {
		t.Errorf("AAAA query: response %x, want NOERROR and no answer", resp)
	}
	for _, bad := range [][]byte{nil, make([]byte, 11), query("host.test", 1)[:15], append(query("x", 1)[:12], 64, 'a')} {
		if resp := dnsAnswer(bad, names); resp != nil {
			t.Errorf("malformed query %x: response %x, want none", bad, resp)
		}
	}
}

func FuzzDNSAnswer(f *testing.F) {
	f.Add(query("host.test", 1))
	f.Add(query("a.b.c", 28))
	names := map[string]net.IP{"host.test": net.IPv4(10, 99, 0, 77).To4()}
	f.Fuzz(func(t *testing.T, q []byte) {
		dnsAnswer(q, names) // must not panic
	})
}
