// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"io"
	"os"
	"sync"
	"time"
)

// A consoleFile carries QEMU's console to the wrapper's standard output
// through a regular file that QEMU appends to and the wrapper follows.
//
// QEMU's stdio character device makes its standard output
// non-blocking, and its virtio console drops what a write cannot take
// at once: a pipe that its reader does not empty quickly enough (go
// test's, under load, or a slow terminal) silently loses the guest's
// output. A write to a regular file is never refused, so QEMU writes
// everything there, and the wrapper copies it on at the reader's pace.
// The space the wrapper has copied is given back to the file system as
// it goes (punchHole), so a long run's output does not fill the disk.
type consoleFile struct {
	w *os.File // QEMU's standard output; the wrapper closes its copy once QEMU has it
	r *os.File // the wrapper's own open file description, read at off

	stop chan struct{} // closed when QEMU has exited
	done chan struct{} // closed when everything QEMU wrote is copied
	once sync.Once
}

// Polling periods of follow: short while the guest writes, backing off
// to the longest while it is quiet.
const (
	consolePollMin = 100 * time.Microsecond
	consolePollMax = 10 * time.Millisecond
	// consolePunch is how much copied output accumulates before its
	// blocks are freed.
	consolePunch = 1 << 20
)

// newConsoleFile makes the file in the temporary directory; it is
// unlinked at once and lives as long as its descriptors.
func newConsoleFile() (*consoleFile, error) {
	w, err := os.CreateTemp("", "mirago-console-")
	if err != nil {
		return nil, err
	}
	r, err := os.Open(w.Name())
	os.Remove(w.Name())
	if err != nil {
		w.Close()
		return nil, err
	}
	return &consoleFile{w: w, r: r, stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// follow copies what QEMU writes to out until finish is called and
// the file is copied to its end. The caller starts it after QEMU has
// started, with its own copy of w closed.
func (c *consoleFile) follow(out io.Writer) {
	defer close(c.done)
	defer c.r.Close()
	buf := make([]byte, 64<<10)
	var off, punched int64
	wait := consolePollMin
	stopping := false
	start := time.Now()
	for {
		n, err := c.r.ReadAt(buf, off)
		if n > 0 {
			out.Write(buf[:n])
			off += int64(n)
			wait = consolePollMin
			if off-punched >= consolePunch {
				punchHole(c.r, punched, off-punched)
				punched = off
			}
			continue
		}
		if err != nil && err != io.EOF {
			return
		}
		if stopping {
			return // QEMU has exited and its last write is copied
		}
		select {
		case <-c.stop:
			stopping = true // read once more: QEMU may have written since
		case <-time.After(wait):
			// Until the first output, or for a second, keep the
			// shortest period: the timing of the first line
			// (MIRAGO_TIMING) must not depend on the back-off.
			if off > 0 || time.Since(start) > time.Second {
				wait = min(2*wait, consolePollMax)
			}
		}
	}
}

// finish tells follow that QEMU has exited and waits until follow has
// copied the rest.
func (c *consoleFile) finish() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
