// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// Package netstack is the TCP/IP stack of GOOS=xen and GOOS=solo5:
// gVisor's netstack (gvisor.dev/gvisor/pkg/tcpip, vendored), behind the
// socket calls of package syscall. Package net imports it, so every
// program that uses the network has it, and only those.
//
// The machine's first network device becomes eth0 (NIC 2), next to lo
// (NIC 1, 127.0.0.1/8 and ::1). Its IPv4 address comes from DHCP unless
// the environment on the kernel command line says otherwise:
//
//	MIRAGO_IP=dhcp			the default
//	MIRAGO_IP=off			no IPv4 address
//	MIRAGO_IP=ADDR/BITS[,GATEWAY]	a static address and default route
//	MIRAGO_DNS=ADDR[,ADDR...]	name servers, instead of DHCP's
//
// IPv6 addresses come from SLAAC. The name servers go to
// /etc/resolv.conf, where package net's resolver reads them, unless the
// file exists. A bad setting stops the program with one line on
// standard error and status 2, as the runtime does for a bad command
// line.
//
// eth0 is set up when the package initializes, so that the address and
// the name servers are in place before main runs; a machine without a
// network device pays nothing until the first socket.
package netstack

import (
	"context"
	"errors"
	"internal/runtime/exithook"
	"internal/sockets"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "unsafe" // for go:linkname

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"mirago.dev/drivers/dhcp"
	"mirago.dev/drivers/ethlink"
)

// dhcpTimeout bounds the wait for a lease at boot.
const dhcpTimeout = 10 * time.Second

func init() {
	sockets.Default = theStack
	if hasEthernet() {
		theStack.get()
	}
	exithook.Add(exithook.Hook{F: drain, RunOnFailure: true})
}

// drainTimeout bounds how long an exiting program waits for its TCP
// data to be delivered.
const drainTimeout = time.Second

// drain runs as the program exits. On Linux the kernel goes on sending
// what a process wrote to its sockets after it exits; here the stack
// stops with the program, so it waits, up to drainTimeout, until no
// TCP connection has data or a FIN the peer has not acknowledged: a
// server that answers and exits must not lose the answer.
func drain() {
	s := theStack.s
	if s == nil {
		return
	}
	deadline := time.Now().Add(drainTimeout)
	for sending(s) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// sending reports whether a TCP endpoint of s has unacknowledged data
// or an unacknowledged FIN.
func sending(s *stack.Stack) bool {
	for _, te := range s.RegisteredEndpoints() {
		ep, ok := te.(*tcp.Endpoint)
		if !ok {
			continue
		}
		switch tcp.EndpointState(ep.State()) {
		case tcp.StateFinWait1, tcp.StateClosing, tcp.StateLastAck:
			return true
		case tcp.StateEstablished, tcp.StateCloseWait:
			if n, err := ep.GetSockOptInt(tcpip.SendQueueSizeOption); err == nil && n > 0 {
				return true
			}
		}
	}
	return false
}

// netStack implements sockets.Stack.
type netStack struct {
	once sync.Once
	s    *stack.Stack
	err  error
}

var theStack = new(netStack)

// get sets the stack up on first use. The stack's goroutines serve the
// whole program, as a kernel would, so they are started outside any
// testing/synctest bubble that the first user may be in: a bubble waits
// for its goroutines to exit, and these never do.
func (n *netStack) get() (*stack.Stack, error) {
	n.once.Do(func() {
		var mu sync.Mutex // not a channel: it would belong to the bubble
		mu.Lock()
		goUnbubbled(func() {
			n.s, n.err = setup()
			mu.Unlock()
		})
		mu.Lock()
		if n.err != nil {
			fatal(n.err.Error())
		}
	})
	return n.s, n.err
}

// goUnbubbled starts fn in a goroutine outside the caller's synctest
// bubble, if it has one; the runtime provides it.
func goUnbubbled(fn func())

func (n *netStack) Socket(family, sotype, proto int, notify func(uint32)) (sockets.Socket, error) {
	s, err := n.get()
	if err != nil {
		return nil, syscall.ENETDOWN
	}
	return makeSocket(s, family, sotype, proto, notify)
}

func (n *netStack) Interfaces() []sockets.Interface {
	s, err := n.get()
	if err != nil {
		return nil
	}
	var list []sockets.Interface
	for id, info := range s.NICInfo() {
		ifc := sockets.Interface{
			Index:        int(id),
			MTU:          int(info.MTU),
			Name:         info.Name,
			HardwareAddr: []byte(info.LinkAddress),
			Up:           info.Flags.Up,
			Loopback:     info.Flags.Loopback,
			Broadcast:    !info.Flags.Loopback,
			Multicast:    !info.Flags.Loopback,
		}
		for _, pa := range info.ProtocolAddresses {
			ifc.Addrs = append(ifc.Addrs, sockets.Prefix{
				IP:   pa.AddressWithPrefix.Address.AsSlice(),
				Bits: pa.AddressWithPrefix.PrefixLen,
			})
		}
		list = append(list, ifc)
	}
	// By index, as Linux lists them.
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Index < list[j-1].Index; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	return list
}

// config is the addressing of eth0.
type config struct {
	dhcp    bool
	addr    netip.Prefix // when !dhcp; invalid for none
	gateway netip.Addr
	dns     []netip.Addr
}

// parseConfig reads MIRAGO_IP and MIRAGO_DNS.
func parseConfig() (config, error) {
	c := config{dhcp: true}
	if v, ok := syscall.Getenv("MIRAGO_IP"); ok {
		switch v {
		case "dhcp", "":
		case "off":
			c.dhcp = false
		default:
			c.dhcp = false
			addr, gw, _ := strings.Cut(v, ",")
			p, err := netip.ParsePrefix(addr)
			if err != nil || !p.Addr().Is4() {
				return c, errors.New("MIRAGO_IP=" + v + ": want dhcp, off or an IPv4 ADDR/BITS[,GATEWAY]")
			}
			c.addr = p
			if gw != "" {
				g, err := netip.ParseAddr(gw)
				if err != nil || !g.Is4() {
					return c, errors.New("MIRAGO_IP=" + v + ": bad gateway " + gw)
				}
				c.gateway = g
			}
		}
	}
	if v, ok := syscall.Getenv("MIRAGO_DNS"); ok && v != "" {
		for _, s := range strings.Split(v, ",") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return c, errors.New("MIRAGO_DNS=" + v + ": bad address " + s)
			}
			c.dns = append(c.dns, a)
		}
	}
	return c, nil
}

// setup makes the stack, with eth0 if there is a network device.
func setup() (*stack.Stack, error) {
	cfg, err := parseConfig()
	if err != nil {
		return nil, err
	}
	s, err := ethlink.NewStack(realClock{})
	if err != nil {
		return nil, err
	}
	eth, err := openEthernet()
	if err != nil {
		warn(err.Error())
		return s, nil
	}
	if eth == nil {
		return s, nil
	}
	link := ethlink.NewLink(eth.dev, randomMAC())
	link.WaitTx = func() { time.Sleep(50 * time.Microsecond) }
	leases := make(chan []byte, 8)
	var dhcpOn sync.Mutex // guards divert
	divert := cfg.dhcp
	link.Divert = func(frame []byte) bool {
		dhcpOn.Lock()
		on := divert
		dhcpOn.Unlock()
		if !on || !dhcp.IsReply(frame) {
			return false
		}
		select {
		case leases <- append([]byte(nil), frame...): // the link reuses frame
		default: // the client is behind; DHCP retransmits
		}
		return true
	}
	if err := ethlink.AddEthernet(s, ethlink.EthernetNIC, "eth0", link); err != nil {
		return nil, err
	}
	go eth.run(link)

	dns := cfg.dns
	var domain string
	switch {
	case cfg.dhcp:
		var xid [4]byte
		syscall.RandomGet(xid[:])
		dc := &dhcp.Config{
			MAC:      link.MAC(),
			Hostname: hostname(),
			XID:      uint32(xid[0]) | uint32(xid[1])<<8 | uint32(xid[2])<<16 | uint32(xid[3])<<24,
			Send:     link.WriteFrame,
		}
		ctx, cancel := context.WithTimeout(context.Background(), dhcpTimeout)
		lease, err := dhcp.Acquire(ctx, dc, leases)
		cancel()
		if err != nil {
			warn("eth0: " + err.Error() + "; it has no IPv4 address")
			dhcpOn.Lock()
			divert = false
			dhcpOn.Unlock()
			break
		}
		if err := ethlink.AddAddress(s, ethlink.EthernetNIC, lease.Addr); err != nil {
			return nil, err
		}
		announce(link, lease.Addr.Addr())
		if lease.Router.IsValid() {
			ethlink.AddDefaultRoute(s, ethlink.EthernetNIC, lease.Router)
		}
		if dns == nil {
			dns = lease.DNS
		}
		domain = lease.Domain
		go renew(dc, lease, leases)
	case cfg.addr.IsValid():
		if err := ethlink.AddAddress(s, ethlink.EthernetNIC, cfg.addr); err != nil {
			return nil, err
		}
		announce(link, cfg.addr.Addr())
		if cfg.gateway.IsValid() {
			ethlink.AddDefaultRoute(s, ethlink.EthernetNIC, cfg.gateway)
		}
	}
	writeResolvConf(dns, domain)
	return s, nil
}

// announce tells the hosts on eth0's link that addr is now at its MAC
// address (ethlink.Link.Announce), as Linux's DHCP clients and network
// managers do when they configure an address: a host that still maps
// addr to the MAC address of this program's previous run, or whose
// question came before the device was up, would otherwise not reach
// the program for a second or more.
func announce(link *ethlink.Link, addr netip.Addr) {
	if err := link.Announce(addr); err != nil {
		warn("eth0: " + err.Error())
	}
}

// renew keeps the lease: a unicast renewal at T1, a broadcast one at T2.
// A lease that runs out is not taken away: the address stays, as if
// the server were down for a while.
func renew(dc *dhcp.Config, l dhcp.Lease, frames chan []byte) {
	for {
		if l.T1 <= 0 || l.T1 > 100*365*24*time.Hour {
			return // an infinite lease
		}
		time.Sleep(l.T1)
		ctx, cancel := context.WithTimeout(context.Background(), l.T2-l.T1)
		nl, err := dhcp.Renew(ctx, dc, l, frames, false)
		cancel()
		if err != nil {
			ctx, cancel = context.WithTimeout(context.Background(), max(l.Lifetime-l.T2, time.Second))
			nl, err = dhcp.Renew(ctx, dc, l, frames, true)
			cancel()
		}
		if err != nil {
			warn("eth0: lease renewal: " + err.Error())
			time.Sleep(time.Minute)
			continue
		}
		l = nl
	}
}

// hostname is $HOSTNAME, which DHCP passes on to the server.
func hostname() string {
	h, _ := syscall.Getenv("HOSTNAME")
	return h
}

func randomMAC() [6]byte {
	var m [6]byte
	syscall.RandomGet(m[:])
	return m
}

// writeResolvConf writes /etc/resolv.conf for package net's resolver,
// unless it exists.
func writeResolvConf(dns []netip.Addr, domain string) {
	if len(dns) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("# written by the unikernel's network setup\n")
	if domain != "" {
		b.WriteString("search " + domain + "\n")
	}
	for _, a := range dns {
		b.WriteString("nameserver " + a.String() + "\n")
	}
	syscall.Mkdir("/etc", 0755)
	fd, err := syscall.Open("/etc/resolv.conf", syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0644)
	if err != nil {
		return
	}
	syscall.Write(fd, []byte(b.String()))
	syscall.Close(fd)
}

// warn prints one line on standard error.
func warn(msg string) {
	syscall.Write(2, []byte("netstack: "+msg+"\n"))
}

// fatal prints one line on standard error and exits with status 2.
func fatal(msg string) {
	warn(msg)
	syscall.Exit(2)
}
