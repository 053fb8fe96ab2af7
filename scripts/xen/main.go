// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Mirago-xen runs Mirago images on real Xen: Debian 12's Xen 4.17 with a
// Linux dom0, nested in QEMU, on a machine without Xen or KVM (see
// package harness and docs/xen.md).
//
//	go run ./scripts/xen build
//
// fetches the pinned Debian packages with apt-get and builds the
// artefacts into $MIRAGO_CACHE/xen-KEY (by default
// ~/.cache/mirago/xen-KEY); an unchanged harness takes no time.
//
//	go run ./scripts/xen run [flags] IMAGE [WORD...]
//
// boots Xen and dom0 in QEMU, creates IMAGE as a PVH guest with the
// WORDs as its kernel command line (or -extra), copies its console to
// standard output and exits with its status: N from its last console
// line "mirago: exit status N", 125 if the domain ended without it
// (stderr says how it ended), 124 at -timeout. With -job several
// guests run in one boot, one after another; the exit status is the
// first guest's that is not 0.
//
//	go run ./scripts/xen config [flags] IMAGE
//
// prints an xl configuration file for IMAGE, for a real Xen host.
//
//	go run ./scripts/xen dir
//
// prints the artefact directory for this harness, or fails if it is not
// built.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

const (
	exitTimeout  = harness.StatusTimeout
	exitFailed   = harness.StatusNoStatus
	exitNoQEMU   = 127
	exitBadUsage = 2
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "build":
		os.Exit(build(os.Args[2:]))
	case "run":
		os.Exit(run(os.Args[2:]))
	case "config":
		os.Exit(config(os.Args[2:]))
	case "dir":
		arch := "amd64"
		if len(os.Args) > 3 && os.Args[2] == "-arch" {
			arch = os.Args[3]
		}
		a, err := harness.FindArch(arch)
		if err != nil {
			errorf("%v", err)
			os.Exit(1)
		}
		fmt.Println(a.Dir)
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage: mirago-xen build [-arch amd64|arm64]
       mirago-xen run [-mem MiB] [-vif] [-disk FILE] [-ramdisk FILE] [-side SCRIPT] [-timeout D] [-v] IMAGE [WORD...]
       mirago-xen run -job JOB.json [-results OUT.json] [-v]
       mirago-xen config [-name NAME] [-mem MiB] [-bridge BR] [-disk PATH] [-ramdisk FILE] IMAGE [WORD...]
       mirago-xen dir [-arch amd64|arm64]`)
	os.Exit(exitBadUsage)
}

func errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "mirago-xen: %s\n", fmt.Sprintf(format, args...))
}

func build(args []string) int {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	arch := fs.String("arch", "amd64", "the architecture of Xen, dom0 and the guests: amd64 or arm64")
	fs.Parse(args)
	start := time.Now()
	a, err := harness.BuildArch(os.Stderr, *arch)
	if err != nil {
		errorf("build: %v", err)
		return 1
	}
	fmt.Printf("%s\n", a.Dir)
	fmt.Fprintf(os.Stderr, "mirago-xen: harness %s ready (%.1fs now; first built in %.1fs)\n", a.Info.Key, time.Since(start).Seconds(), a.Info.BuildSeconds)
	return 0
}

// jobFile is -job's format. Relative paths are relative to the file.
type jobFile struct {
	Guests []struct {
		Name          string `json:"name"`
		Image         string `json:"image"`
		Extra         string `json:"extra"`
		Memory        int    `json:"memory"`
		VCPUs         int    `json:"vcpus"`
		Ramdisk       string `json:"ramdisk"`
		Vif           bool   `json:"vif"`
		Disk          string `json:"disk"`
		Side          string `json:"side"` // a script file
		SideEndsGuest bool   `json:"side_ends_guest"`
		Timeout       string `json:"timeout"`
	} `json:"guests"`
	Files map[string]string `json:"files"` // dom0 path: host path
}

// files is a repeatable -file DOM0PATH=HOSTPATH flag.
type files map[string]string

func (f files) String() string { return "" }
func (f files) Set(s string) error {
	dst, src, ok := strings.Cut(s, "=")
	if !ok || dst == "" || src == "" {
		return errors.New("want DOM0PATH=HOSTPATH")
	}
	f[dst] = src
	return nil
}

func run(args []string) int {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var (
		g        harness.Guest
		sideFile string
		jobPath  = fs.String("job", "", "run the guests of this JSON `file` in one boot")
		results  = fs.String("results", "", "write the results as JSON to this `file`")
		verbose  = fs.Bool("v", false, "show Xen's and dom0's output and QEMU's command on stderr")
		fl       = files{}
	)
	fs.StringVar(&g.Extra, "extra", "", "the guest's kernel command line (default: the WORDs after IMAGE)")
	fs.IntVar(&g.Memory, "mem", 256, "guest memory in `MiB`")
	fs.IntVar(&g.VCPUs, "vcpus", 1, "the guest's virtual CPUs")
	fs.BoolVar(&g.Vif, "vif", false, "give the guest a vif on xenbr0 (DHCP from dom0, 10.99.0.10)")
	fs.StringVar(&g.Disk, "disk", "", "raw disk image `file` for the guest's xvda (written in place)")
	fs.StringVar(&g.Ramdisk, "ramdisk", "", "boot module `file` for the guest")
	fs.StringVar(&sideFile, "side", "", "busybox sh `script` to run in dom0 alongside the guest")
	fs.BoolVar(&g.SideEndsGuest, "side-ends-guest", false, "destroy the guest when the side script ends")
	fs.DurationVar(&g.Timeout, "timeout", 5*time.Minute, "destroy the guest after this long (exit status 124)")
	fs.Var(fl, "file", "put host file HOSTPATH in dom0 at DOM0PATH (`DOM0PATH=HOSTPATH`; repeatable)")
	fs.Parse(args)

	opts := harness.Options{Stdout: os.Stdout, Stderr: os.Stderr, Verbose: *verbose, Files: fl}
	if *jobPath != "" {
		if fs.NArg() != 0 {
			errorf("run: -job takes no IMAGE")
			return exitBadUsage
		}
		var err error
		if opts, err = readJob(*jobPath, opts); err != nil {
			errorf("%v", err)
			return exitBadUsage
		}
	} else {
		if fs.NArg() < 1 {
			usage()
		}
		g.Image = fs.Arg(0)
		if g.Extra == "" {
			g.Extra = strings.Join(fs.Args()[1:], " ")
		}
		if sideFile != "" {
			data, err := os.ReadFile(sideFile)
			if err != nil {
				errorf("-side: %v", err)
				return exitBadUsage
			}
			g.Side = string(data)
		}
		opts.Guests = []harness.Guest{g}
	}
	for _, g := range opts.Guests {
		if _, err := os.Stat(g.Image); err != nil {
			errorf("cannot read image: %v", err)
			return exitFailed
		}
	}
	// The images say which Xen they are for: an arm64 Image, or an
	// amd64 ELF.
	a, err := harness.FindArch(imageArch(opts.Guests[0].Image))
	if err != nil {
		errorf("%v", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	res, err := harness.Run(ctx, a, opts)
	if errors.Is(err, harness.QEMUMissing) {
		errorf("%v", err)
		return exitNoQEMU
	}
	if res != nil && *results != "" {
		data, _ := json.MarshalIndent(res, "", "\t")
		if werr := os.WriteFile(*results, append(data, '\n'), 0o644); werr != nil {
			errorf("%v", werr)
		}
	}
	if err != nil {
		errorf("%v", err)
		return exitFailed
	}
	if *verbose {
		fmt.Fprintf(os.Stderr, "mirago-xen: Xen and dom0 up in %.1fs; all done in %.1fs\n", res.BootTime.Seconds(), res.TotalTime.Seconds())
	}
	status := 0
	for _, g := range res.Guests {
		switch {
		case !g.HasLine && g.Status == harness.StatusTimeout:
			errorf("guest %s did not end within its timeout; destroyed it", g.Name)
		case !g.HasLine:
			errorf("guest %s ended without a \"mirago: exit status N\" line (domain shut down: %s)", g.Name, g.Reason)
		case len(res.Guests) > 1:
			errorf("guest %s: exit status %d", g.Name, g.Status)
		}
		if g.SideExit > 0 {
			errorf("guest %s: the dom0 side script failed with status %d", g.Name, g.SideExit)
		}
		if status == 0 {
			status = g.Status
		}
	}
	return status
}

func readJob(path string, opts harness.Options) (harness.Options, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return opts, err
	}
	var j jobFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return opts, fmt.Errorf("%s: %v", path, err)
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i, jg := range j.Guests {
		g := harness.Guest{
			Name: jg.Name, Image: rel(jg.Image), Extra: jg.Extra, Memory: jg.Memory, VCPUs: jg.VCPUs,
			Ramdisk: rel(jg.Ramdisk), Vif: jg.Vif, Disk: rel(jg.Disk), SideEndsGuest: jg.SideEndsGuest,
		}
		if jg.Image == "" {
			return opts, fmt.Errorf("%s: guest %d has no image", path, i)
		}
		if jg.Timeout != "" {
			if g.Timeout, err = time.ParseDuration(jg.Timeout); err != nil {
				return opts, fmt.Errorf("%s: guest %d: timeout: %v", path, i, err)
			}
		}
		if jg.Side != "" {
			s, err := os.ReadFile(rel(jg.Side))
			if err != nil {
				return opts, fmt.Errorf("%s: guest %d: %v", path, i, err)
			}
			g.Side = string(s)
		}
		opts.Guests = append(opts.Guests, g)
	}
	for dst, src := range j.Files {
		opts.Files[dst] = rel(src)
	}
	return opts, nil
}

func config(args []string) int {
	fs := flag.NewFlagSet("config", flag.ExitOnError)
	var c harness.XLConfig
	fs.StringVar(&c.Name, "name", "", "domain name (default: the image's file name)")
	fs.IntVar(&c.Memory, "mem", 256, "memory in `MiB`")
	fs.IntVar(&c.VCPUs, "vcpus", 1, "virtual CPUs")
	fs.StringVar(&c.Bridge, "bridge", "", "give the guest a vif on this `bridge` (e.g. xenbr0)")
	fs.StringVar(&c.MAC, "mac", "", "the vif's MAC address (default: xl chooses)")
	fs.StringVar(&c.Disk, "disk", "", "raw disk image or block device `path` for the guest's xvda")
	fs.StringVar(&c.Ramdisk, "ramdisk", "", "boot module `file`")
	fs.StringVar(&c.Extra, "extra", "", "kernel command line (default: the WORDs after IMAGE)")
	fs.Parse(args)
	if fs.NArg() < 1 {
		usage()
	}
	img, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		errorf("%v", err)
		return 1
	}
	c.Kernel = img
	if c.Name == "" {
		c.Name = strings.TrimSuffix(filepath.Base(img), filepath.Ext(img))
	}
	if c.Extra == "" {
		c.Extra = strings.Join(fs.Args()[1:], " ")
	}
	fmt.Print(c.String())
	return 0
}

// imageArch returns arm64 for an arm64 Linux Image (the magic
// "ARM\x64" at offset 0x38), amd64 for anything else.
func imageArch(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "amd64"
	}
	defer f.Close()
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0x38); err == nil && string(magic[:]) == "ARM\x64" {
		return "arm64"
	}
	return "amd64"
}
