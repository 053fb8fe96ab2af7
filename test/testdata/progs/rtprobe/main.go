// Command rtprobe exercises one runtime behaviour per mode (os.Args[1])
// and prints what the test checks. See test/runtime_test.go.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
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
	case "lines":
		// n numbered lines, each its own write, then maybe a panic.
		n, _ := strconv.Atoi(os.Args[2])
		for i := range n {
			fmt.Printf("line %d of the console test\n", i)
		}
		if len(os.Args) > 3 && os.Args[3] == "panic" {
			panic("after the lines")
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
	case "parallel":
		// N goroutines hashing the same amount each: rtprobe
		// parallel N. The host compares the time with 1 and 2 CPUs.
		n, _ := strconv.Atoi(os.Args[2])
		start := time.Now()
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := make([]byte, 4096)
				for range 4000 {
					sum := sha256.Sum256(b)
					b[0] = sum[0]
				}
			}()
		}
		wg.Wait()
		fmt.Printf("parallel %d %d\n", n, time.Since(start))
	case "stress":
		stress(os.Args[2])
	case "vector":
		vector()
	case "locked":
		// LockOSThread means an M of its own: the locked goroutine
		// keeps its M across blocking, and a goroutine that exits
		// locked takes its M with it.
		ms := make(chan *byte)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var mu sync.Mutex
			mu.Lock()
			time.Sleep(10 * time.Millisecond)
			mu.Unlock()
			ms <- nil
		}()
		<-ms
		for range 3 {
			go func() {
				runtime.LockOSThread()
				ms <- nil
			}()
			<-ms
		}
		fmt.Println("locked ok")
	default:
		fmt.Println("unknown mode", mode)
		os.Exit(1)
	}
}

// stress passes messages between 1000 goroutines, on as many CPUs as
// there are, for the duration given: a ring of goroutines passes 100
// tokens on through unbuffered channels, half of them through a select
// with a timer, while others contend for a mutex and wait on a
// condition variable. A lost wakeup strands a token, and the ring
// slows; the check is that every second some message moves, and that
// every goroutine stops when told to (wg.Wait).
func stress(arg string) {
	d, err := time.ParseDuration(arg)
	if err != nil {
		fmt.Println("stress: bad duration", arg)
		os.Exit(1)
	}
	const ring, tokens = 1000, 100
	chans := make([]chan int, ring)
	for i := range chans {
		chans[i] = make(chan int)
	}
	var moved atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ring {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, out := chans[i], chans[(i+1)%ring]
			t := time.NewTimer(time.Hour)
			for {
				var tok int
				select {
				case tok = <-in:
				case <-stop:
					return
				}
				moved.Add(1)
				if i%2 == 0 {
					t.Reset(time.Millisecond)
					select {
					case out <- tok:
					case <-t.C:
						// A slow receiver: wait for it.
						select {
						case out <- tok:
						case <-stop:
							return
						}
					case <-stop:
						return
					}
					continue
				}
				select {
				case out <- tok:
				case <-stop:
					return
				}
			}
		}()
	}
	// Tokens in flight: each is some goroutine's until the end.
	for k := range tokens {
		go func() { chans[k*ring/tokens] <- k }()
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	shared, stopped := 0, false
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				shared++
				cond.Broadcast()
				mu.Unlock()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		defer mu.Unlock()
		for !stopped {
			last := shared
			for shared == last && !stopped {
				cond.Wait()
			}
		}
	}()
	deadline := time.Now().Add(d)
	last := int64(0)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		n := moved.Load()
		if n == last {
			fmt.Println("stress: no message moved for a second")
			os.Exit(2)
		}
		last = n
	}
	close(stop)
	mu.Lock()
	stopped = true
	cond.Broadcast()
	mu.Unlock()
	wg.Wait()
	fmt.Printf("stress ok: %d messages on %d CPUs\n", moved.Load(), runtime.NumCPU())
}

// vector prints XCR0, then has goroutines on every CPU hash and copy
// buffers with the widest vector code the CPU state allows (crypto/sha256
// and copy pick AVX2 where it is on) while timers interrupt them, and
// checks every result: the interrupts must save and restore the vector
// registers.
func vector() {
	fmt.Printf("xcr0=%#x\n", xcr0())
	const workers, rounds = 8, 300
	bufs := make([][]byte, workers)
	sums := make([][32]byte, workers)
	for i := range bufs {
		bufs[i] = make([]byte, 16<<10)
		for j := range bufs[i] {
			bufs[i][j] = byte(i*7 + j*13)
		}
		sums[i] = sha256.Sum256(bufs[i])
	}
	var bad atomic.Int64
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := make([]byte, len(bufs[i]))
			for r := range rounds {
				copy(dst, bufs[i])
				if sha256.Sum256(dst) != sums[i] {
					bad.Add(1)
				}
				if r%50 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		fmt.Printf("vector: %d of %d results wrong\n", n, workers*rounds)
		os.Exit(1)
	}
	fmt.Printf("vector ok: %d results on %d CPUs\n", workers*rounds, runtime.NumCPU())
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
func xcr0() uint64
