// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// devprobe exercises devices of the machine it boots on, one mode per
// run:
//
//	hwrng       read /dev/hwrng and print what it read, in hex
//	cryptorand  read crypto/rand and print what it read, in hex
//	busy        read /dev/hwrng while another goroutine keeps the CPU busy
//
// Without an entropy device, hwrng prints "no hardware RNG: ERROR" and
// exits 3.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: devprobe hwrng|cryptorand|busy|diskwrite MSG|diskread LEN")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "hwrng":
		hwrng(4, 64)
	case "cryptorand":
		for range 4 {
			b := make([]byte, 32)
			rand.Read(b) // stops the program if there is no source
			fmt.Println("rand", hex.EncodeToString(b))
		}
	case "busy":
		var stop atomic.Bool
		done := make(chan int)
		go func() {
			n := 0
			for !stop.Load() {
				n++
			}
			done <- n
		}()
		runtime.Gosched()
		start := time.Now()
		hwrng(4, 64)
		fmt.Println("read while busy in", time.Since(start).Round(time.Millisecond))
		stop.Store(true)
		<-done
	case "diskwrite":
		diskWrite(os.Args[2])
	case "diskread":
		diskRead(len(os.Args[2]))
	default:
		fmt.Fprintln(os.Stderr, "devprobe: unknown mode", os.Args[1])
		os.Exit(2)
	}
}

// hwrng reads n blocks of size bytes from /dev/hwrng.
func hwrng(n, size int) {
	f, err := os.Open("/dev/hwrng")
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	defer f.Close()
	for range n {
		b := make([]byte, size)
		if _, err := io.ReadFull(f, b); err != nil {
			if errors.Is(err, syscall.ENODEV) {
				fmt.Println("no hardware RNG:", err)
				os.Exit(3)
			}
			fmt.Println("read:", err)
			os.Exit(1)
		}
		fmt.Println("hwrng", hex.EncodeToString(b))
	}
}

// diskOffset is where the disk tests write: not on a sector boundary,
// and across one, so that partial sectors are read back and patched.
const diskOffset = 1000

// diskPath is the machine's disk, named as Linux names it: /dev/xvda on
// Xen, /dev/vda for virtio-blk.
func diskPath() string {
	if _, err := os.Stat("/dev/xvda"); err == nil {
		return "/dev/xvda"
	}
	return "/dev/vda"
}

// diskWrite writes msg to the disk at diskOffset and syncs it, then
// reports the disk's size as Seek finds it.
func diskWrite(msg string) {
	f, err := os.OpenFile(diskPath(), os.O_RDWR, 0)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	if _, err := f.WriteAt([]byte(msg), diskOffset); err != nil {
		fmt.Println("write:", err)
		os.Exit(1)
	}
	if err := f.Sync(); err != nil {
		fmt.Println("sync:", err)
		os.Exit(1)
	}
	size, err := f.Seek(0, io.SeekEnd)
	fmt.Println("wrote", len(msg), "bytes; size", size, err)
	f.Close()
}

// diskRead prints n bytes of the disk from diskOffset.
func diskRead(n int) {
	f, err := os.Open(diskPath())
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, diskOffset); err != nil {
		fmt.Println("read:", err)
		os.Exit(1)
	}
	fmt.Printf("read %q\n", b)
}
