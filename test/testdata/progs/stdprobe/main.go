// Command stdprobe exercises one part of the standard library per mode
// (os.Args[1]) and prints what the test checks. See test/std_test.go.
package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	mathrand "math/rand"
	randv2 "math/rand/v2"
	"os"
	"os/exec"
	"plugin"
	"slices"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: stdprobe mode [args]")
		os.Exit(1)
	}
	switch mode := os.Args[1]; mode {
	case "env":
		for i, a := range os.Args {
			fmt.Printf("arg[%d]=%q\n", i, a)
		}
		env := os.Environ()
		slices.Sort(env)
		for _, kv := range env {
			fmt.Printf("env %q\n", kv)
		}
		_, ok := os.LookupEnv("UNSET")
		fmt.Printf("lookup UNSET: %v\n", ok)
		if err := os.Setenv("SET_IN_GUEST", "yes"); err != nil {
			fail(err)
		}
		fmt.Printf("getenv SET_IN_GUEST=%q\n", os.Getenv("SET_IN_GUEST"))
		host, err := os.Hostname()
		if err != nil {
			fail(err)
		}
		wd, err := os.Getwd()
		if err != nil {
			fail(err)
		}
		fmt.Printf("pid=%d ppid=%d uid=%d gid=%d hostname=%s wd=%s tmp=%s\n",
			os.Getpid(), os.Getppid(), os.Getuid(), os.Getgid(), host, wd, os.TempDir())
	case "rand":
		// Two reads in one boot; the test compares them and a second
		// boot's.
		for i := 0; i < 2; i++ {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				fail(err)
			}
			fmt.Printf("crypto/rand %x\n", b)
		}
		fmt.Printf("math/rand %d\n", mathrand.Int63())
		fmt.Printf("math/rand/v2 %d\n", randv2.Uint64())
	case "zone":
		zone()
	case "unsupported":
		err := exec.Command("ls").Run()
		fmt.Printf("exec.Command(\"ls\").Run: %v (ErrUnsupported: %v)\n", err, errors.Is(err, errors.ErrUnsupported))
		_, err = os.StartProcess("/bin/ls", []string{"ls"}, &os.ProcAttr{})
		fmt.Printf("os.StartProcess: %v (ErrUnsupported: %v)\n", err, errors.Is(err, errors.ErrUnsupported))
		_, err = plugin.Open("x.so")
		fmt.Printf("plugin.Open: %v\n", err)
	default:
		fmt.Printf("unknown mode %q\n", mode)
		os.Exit(1)
	}
}

// zone prints Europe/Berlin's time at a fixed instant, and the local
// zone ($TZ) at the same instant.
func zone() {
	t := time.Date(2026, time.July, 1, 12, 0, 0, 0, time.UTC)
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Printf("LoadLocation: %v\n", err)
	} else {
		fmt.Printf("Europe/Berlin: %s\n", t.In(loc))
	}
	fmt.Printf("Local %s: %s\n", time.Local, t.In(time.Local))
}

func fail(err error) {
	fmt.Printf("FAIL: %v\n", err)
	os.Exit(1)
}
