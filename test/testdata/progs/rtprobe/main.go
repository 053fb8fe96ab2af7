// Command rtprobe exercises one runtime behaviour per mode (os.Args[1])
// and prints what the test checks. See test/runtime_test.go.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

var sink int

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: rtprobe mode")
		os.Exit(1)
	}
	switch mode := os.Args[1]; mode {
	case "info":
		fmt.Printf("GOOS=%s GOARCH=%s NumCPU=%d GOMAXPROCS=%d GOGC=%d GOMEMLIMIT=%d unix=%d\n",
			runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0),
			debug.SetGCPercent(-1), debug.SetMemoryLimit(-1), time.Now().Unix())
	case "sleep":
		// Requested and observed sleeps.
		for _, d := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond} {
			start := time.Now()
			time.Sleep(d)
			fmt.Printf("slept %d %d\n", d, time.Since(start))
		}
	case "sleeps":
		// N sleeps of D each: rtprobe sleeps N D.
		n, _ := strconv.Atoi(os.Args[2])
		d, _ := time.ParseDuration(os.Args[3])
		for range n {
			start := time.Now()
			time.Sleep(d)
			fmt.Printf("slept %d %d\n", d, time.Since(start))
		}
	case "ticks":
		// A line every D for S by the guest's clock, each with the
		// nanoseconds since the first, for the host to time: rtprobe
		// ticks D S.
		d, _ := time.ParseDuration(os.Args[2])
		s, _ := time.ParseDuration(os.Args[3])
		start := time.Now()
		for i := time.Duration(0); i*d <= s; i++ {
			time.Sleep(time.Until(start.Add(i * d)))
			fmt.Printf("tick %d\n", time.Since(start))
		}
		fmt.Println("ticks end")
	case "churn":
		// Goroutines that allocate, then collections.
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b [][]byte
				for range 100 {
					b = append(b, make([]byte, 10000))
				}
				mu.Lock()
				total += len(b)
				mu.Unlock()
			}()
		}
		wg.Wait()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("churned %d buffers in 100 goroutines; %d collections\n", total, ms.NumGC)
	case "idle":
		d, _ := time.ParseDuration(os.Args[2])
		time.Sleep(d)
		fmt.Println("woke")
	case "hang":
		// For an NMI (SIGQUIT) to find: a goroutine blocked on a
		// channel, and main asleep. Another goroutine prints the
		// line the tests wait for, once both are: had main printed
		// it, an NMI right after the line could find main still on
		// its way out of the console write.
		go func() {
			<-make(chan int)
		}()
		go func() {
			time.Sleep(10 * time.Millisecond) // the others block
			fmt.Println("hanging")
		}()
		time.Sleep(time.Hour)
	case "spin1":
		// A goroutine that never makes a call must not keep the
		// only P from the sleeping main goroutine.
		go func() {
			for {
			}
		}()
		start := time.Now()
		time.Sleep(100 * time.Millisecond)
		fmt.Printf("slept %d\n", time.Since(start))
	case "spin8":
		for i := 0; i < 8; i++ {
			go func() {
				for {
					sink++
				}
			}()
		}
		for i := 0; i < 10; i++ {
			start := time.Now()
			time.Sleep(100 * time.Millisecond)
			fmt.Printf("slept %d\n", time.Since(start))
		}
	case "nil":
		defer func() { fmt.Println("recovered:", recover()) }()
		var p *int
		sink = *p
	case "nilfatal":
		var p *[1 << 10]int
		sink = p[100]
	case "divide":
		defer func() { fmt.Println("recovered:", recover()) }()
		sink = int(divide(1, 0)) // a DIV instruction, not the compiler's check
	case "illegal":
		ud2()
	case "wild":
		*(*int)(unsafe.Pointer(uintptr(0x7f0000000000))) = 1
	case "noncanonical":
		// A general protection fault: Linux reports SIGSEGV with
		// si_code SI_KERNEL and address 0.
		*(*int)(unsafe.Pointer(uintptr(0x800000000000))) = 1
	case "rodata":
		*unsafe.StringData("read-only data") = 'R'
	case "text":
		f := main
		pc := **(**uintptr)(unsafe.Pointer(&f))
		*(*byte)(unsafe.Pointer(pc)) = 0xc3
	case "exec":
		code := []byte{0xc3} // RET, on the heap
		f := unsafe.Pointer(&code)
		call(*(*uintptr)(f))
	case "stack":
		fmt.Println(recurse(0))
	case "oom":
		var keep [][]byte
		for {
			keep = append(keep, make([]byte, 1<<20))
		}
	case "alloc":
		// Keep n MiB live.
		n, _ := strconv.Atoi(os.Args[2])
		keep := make([][]byte, n)
		for i := range keep {
			keep[i] = make([]byte, 1<<20)
			keep[i][0] = 1
		}
		fmt.Println("allocated MiB:", len(keep))
	case "gc":
		for i := 0; i < 3; i++ {
			runtime.GC()
		}
		fmt.Println("collected")
	default:
		fmt.Println("unknown mode", mode)
		os.Exit(1)
	}
}

func recurse(n int) int {
	var buf [128]byte
	buf[n%len(buf)] = byte(n)
	return recurse(n+1) + int(buf[0])
}

// Implemented in probe_GOARCH.s.
func divide(a, b uint64) uint64
func ud2()
func call(pc uintptr)
