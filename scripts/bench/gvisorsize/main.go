// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build ignore

// Gvisorsize is the benchmark's HTTP server with gVisor's TCP/IP stack
// linked in as the unikernel sets it up (ethlink.NewStack, an Ethernet
// link, a TCP listener and a UDP endpoint), built for linux/amd64 by
// scripts/bench/size.sh to weigh what the stack alone adds to a Linux
// binary. It is a lower bound: the unikernel's socket layer reaches
// more of the stack's methods than the few endpoint calls here.
//
// It is not run; size.sh builds it in a module of its own, with gVisor
// vendored as the toolchain vendors it, which is why it is ignored here.
package main

import (
	"bytes"
	"os"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
	"mirago.dev/drivers/ethernet"
	"mirago.dev/drivers/ethlink"
	"mirago.dev/mirago/scripts/bench/httpd"
)

// noDevice is an ethernet.Device that is never called.
type noDevice struct{ ethernet.Device }

func main() {
	if len(os.Args) < 2 || os.Args[1] != "-gvisor" {
		httpd.Serve(":80")
		return
	}
	s, err := ethlink.NewStack(nil)
	if err != nil {
		panic(err)
	}
	link := ethlink.NewLink(noDevice{}, [6]byte{})
	ethlink.AddEthernet(s, ethlink.EthernetNIC, "eth0", link)
	link.Poll()
	var wq waiter.Queue
	ln, terr := s.NewEndpoint(tcp.ProtocolNumber, ipv4.ProtocolNumber, &wq)
	if terr != nil {
		panic(terr.String())
	}
	ln.Bind(tcpip.FullAddress{Port: 80})
	ln.Listen(16)
	c, _, _ := ln.Accept(nil)
	var b [512]byte
	w := tcpip.SliceWriter(b[:])
	c.Read(&w, tcpip.ReadOptions{})
	c.Write(bytes.NewReader(b[:]), tcpip.WriteOptions{})
	c.Close()
	u, _ := s.NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, &wq)
	u.Write(bytes.NewReader(b[:]), tcpip.WriteOptions{To: &tcpip.FullAddress{Port: 53}})
}
