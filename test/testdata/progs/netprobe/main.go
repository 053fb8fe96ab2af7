// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Netprobe exercises package net in the guest for test/net_test.go.
// It is an ordinary Go program: nothing in it knows it runs on a
// unikernel.
//
//	netprobe serve				HTTP on :80 and HTTPS on :443 until GET /quit
//	netprobe busy				serve, while a goroutine keeps the CPU busy (yielding)
//	netprobe echo tcp=ADDR udp=ADDR MSG	send MSG to echo servers, print the replies
//	netprobe lookup NAME			net.LookupHost
//	netprobe ifaces				net.Interfaces and their addresses
//	netprobe loopback N			N connections over 127.0.0.1 and ::1, each dialled while
//						the other side is busy, with a short deadline
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: netprobe serve|echo|lookup|ifaces")
	}
	switch os.Args[1] {
	case "serve":
		serve()
	case "busy":
		// With no preemption (solo5), the scheduler is never idle:
		// the network must be heard from anyway.
		go func() {
			for {
				runtime.Gosched()
			}
		}()
		serve()
	case "echo":
		echo(os.Args[2:])
	case "lookup":
		addrs, err := net.LookupHost(os.Args[2])
		if err != nil {
			fail("lookup: %v", err)
		}
		fmt.Printf("lookup %s: %s\n", os.Args[2], strings.Join(addrs, " "))
	case "ifaces":
		ifaces()
	case "loopback":
		n, _ := strconv.Atoi(os.Args[2])
		loopback(n)
	default:
		fail("unknown mode %q", os.Args[1])
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "netprobe: "+format+"\n", args...)
	os.Exit(1)
}

// Blob writes n bytes of a fixed pseudo-random stream (xorshift64*,
// seed 1), which the test regenerates to compare checksums.
func blob(w io.Writer, n int64) error {
	buf := make([]byte, 64<<10)
	x := uint64(1)
	for n > 0 {
		m := min(int64(len(buf)), n)
		for i := 0; i < int(m); i += 8 {
			x ^= x >> 12
			x ^= x << 25
			x ^= x >> 27
			v := x * 0x2545F4914F6CDD1D
			for j := 0; j < 8 && i+j < int(m); j++ {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if _, err := w.Write(buf[:m]); err != nil {
			return err
		}
		n -= m
	}
	return nil
}

func serve() {
	quit := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, world\n")
	})
	mux.HandleFunc("GET /blob", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		blob(w, n)
	})
	mux.HandleFunc("POST /sum", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d %x\n", n, h.Sum(nil))
	})
	mux.HandleFunc("GET /remote", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %T\n", r.RemoteAddr, r.Context().Value(http.LocalAddrContextKey))
	})
	mux.HandleFunc("GET /quit", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "bye\n")
		close(quit)
	})

	cert, fingerprint := selfSigned()
	ln, err := net.Listen("tcp", ":80")
	if err != nil {
		fail("listen: %v", err)
	}
	tln, err := tls.Listen("tcp", ":443", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		fail("listen tls: %v", err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	go srv.Serve(tln)
	fmt.Printf("certificate %x\n", fingerprint)
	fmt.Printf("listening on %s and %s\n", ln.Addr(), tln.Addr())
	<-quit
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	fmt.Println("served")
}

// selfSigned makes a certificate for localhost and returns it with the
// SHA-256 of its DER encoding, which the test pins.
func selfSigned() (tls.Certificate, [32]byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		fail("certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, sha256.Sum256(der)
}

func echo(args []string) {
	msg := args[len(args)-1]
	for _, a := range args[:len(args)-1] {
		proto, addr, _ := strings.Cut(a, "=")
		c, err := net.DialTimeout(proto, addr, 5*time.Second)
		if err != nil {
			fail("dial %s: %v", a, err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, msg+"\n"); err != nil {
			fail("write %s: %v", a, err)
		}
		var reply string
		if proto == "tcp" {
			reply, err = bufio.NewReader(c).ReadString('\n')
		} else {
			b := make([]byte, 1500)
			var n int
			n, err = c.Read(b)
			reply = string(b[:n])
		}
		if err != nil {
			fail("read %s: %v", a, err)
		}
		fmt.Printf("%s echo from %s via %s: %s", proto, c.RemoteAddr(), c.LocalAddr(), reply)
		c.Close()
	}
}

func ifaces() {
	ifs, err := net.Interfaces()
	if err != nil {
		fail("interfaces: %v", err)
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			fail("addrs: %v", err)
		}
		// The lengths of each address and mask, which Linux gives
		// as 16 and 4 bytes for IPv4.
		var lens []string
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				lens = append(lens, fmt.Sprintf("%d/%d", len(n.IP), len(n.Mask)))
			}
		}
		fmt.Printf("%d %s mtu=%d mac=%s flags=%s addrs=%v lens=%v\n", ifi.Index, ifi.Name, ifi.MTU, ifi.HardwareAddr, ifi.Flags, addrs, lens)
	}
}

// loopback makes n connections to a listener on each loopback address,
// one byte each way, with deadlines: a connection whose readiness is
// lost shows as a timeout.
func loopback(n int) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fail("listen %s: %v", addr, err)
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					b := make([]byte, 1)
					c.SetDeadline(time.Now().Add(5 * time.Second))
					if _, err := io.ReadFull(c, b); err == nil {
						c.Write(b)
					}
				}()
			}
		}()
		// Eight dialers at once, so that connections complete while
		// other goroutines run.
		var mu sync.Mutex
		failures := 0
		failed := func(what string, err error) {
			mu.Lock()
			defer mu.Unlock()
			if failures < 5 {
				fmt.Println(what+":", err)
			}
			failures++
		}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
					if err != nil {
						failed("dial", err)
						continue
					}
					c.SetDeadline(time.Now().Add(5 * time.Second))
					b := []byte{byte(i)}
					if _, err := c.Write(b); err != nil {
						failed("write", err)
					} else if _, err := io.ReadFull(c, b); err != nil || b[0] != byte(i) {
						failed("read", err)
					}
					c.Close()
				}
			}()
		}
		wg.Wait()
		ln.Close()
		fmt.Printf("loopback %s: %d connections, %d failed\n", ln.Addr().(*net.TCPAddr).IP, n, failures)
	}
}
