/**
 * gort's runtime: Go's {@code runtime} package, one flat package as Go's is, with Go's
 * names for Go's mechanisms. A map for reading it beside Go's source
 * ({@code $(go env GOROOT)/src/runtime}):
 *
 * <table>
 *   <caption>Go's files and gort's classes</caption>
 *   <tr><th>Go</th><th>gort</th></tr>
 *   <tr><td>runtime2.go (g, m, p, schedt, waitReason)</td>
 *       <td>{@link dev.gort.runtime.G}, {@link dev.gort.runtime.M}, {@link dev.gort.runtime.P},
 *       {@link dev.gort.runtime.Sched}, {@link dev.gort.runtime.WaitReason}</td></tr>
 *   <tr><td>proc.go: schedule, execute, wakep, startm, stopm, handoffp, locked Ms</td>
 *       <td>{@link dev.gort.runtime.Proc}</td></tr>
 *   <tr><td>proc.go: findRunnable, stealWork</td>
 *       <td>{@link dev.gort.runtime.FindRunnable}, {@link dev.gort.runtime.StealOrder}</td></tr>
 *   <tr><td>proc.go: runqput, runqget, runqsteal, ... (and the global queue's gQueue)</td>
 *       <td>{@link dev.gort.runtime.RunQueue}, {@link dev.gort.runtime.GQueue}</td></tr>
 *   <tr><td>proc.go: newproc, gfput, gfget</td><td>{@link dev.gort.runtime.NewProc}</td></tr>
 *   <tr><td>proc.go: gopark, park_m, goready, Gosched, goexit0, acquireSudog</td>
 *       <td>{@link dev.gort.runtime.Park}</td></tr>
 *   <tr><td>proc.go: entersyscall, exitsyscall, setBlockOnExitSyscall</td>
 *       <td>{@link dev.gort.runtime.Syscall}</td></tr>
 *   <tr><td>proc.go: sysmon, retake</td><td>{@link dev.gort.runtime.Sysmon}</td></tr>
 *   <tr><td>proc.go: stopTheWorld, startTheWorld, procresize, GOMAXPROCS</td>
 *       <td>{@link dev.gort.runtime.Stw}</td></tr>
 *   <tr><td>proc.go: checkdead</td><td>{@link dev.gort.runtime.CheckDead}</td></tr>
 *   <tr><td>proc.go: LockOSThread</td><td>{@link dev.gort.runtime.LockOSThread}</td></tr>
 *   <tr><td>proc.go: schedtrace</td><td>{@link dev.gort.runtime.SchedTrace}</td></tr>
 *   <tr><td>preempt.go, proc.go's preemptone/preemptall, newstack's preemption</td>
 *       <td>{@link dev.gort.runtime.Preempt}</td></tr>
 *   <tr><td>chan.go</td><td>{@link dev.gort.runtime.HChan}, {@link dev.gort.runtime.Chans}</td></tr>
 *   <tr><td>select.go</td><td>{@link dev.gort.runtime.Selects}, {@link dev.gort.runtime.SCase}</td></tr>
 *   <tr><td>runtime2.go's sudog</td><td>{@link dev.gort.runtime.Sudog}</td></tr>
 *   <tr><td>sema.go (semacquire, semrelease, notifyList)</td>
 *       <td>{@link dev.gort.runtime.Sema}, {@link dev.gort.runtime.NotifyList}</td></tr>
 *   <tr><td>time.go (timer, timers)</td>
 *       <td>{@link dev.gort.runtime.RuntimeTimer}, {@link dev.gort.runtime.Timers}</td></tr>
 *   <tr><td>time.go's time_runtimeNow, time_runtimeNano (which clock: a bubble's fake one)</td>
 *       <td>{@link dev.gort.runtime.FakeTime}</td></tr>
 *   <tr><td>synctest.go (synctestBubble, changegstatus, synctestRun, synctestWait), chan.go's
 *       c.bubble</td>
 *       <td>{@link dev.gort.runtime.SynctestBubble}, {@link dev.gort.runtime.ChanAssoc}</td></tr>
 *   <tr><td>netpoll.go, netpoll_epoll.go (the poller, the wait for the next timer)</td><td>{@link dev.gort.runtime.Netpoll}</td></tr>
 *   <tr><td>netpoll.go (pollDesc, deadlines)</td><td>{@link dev.gort.runtime.PollDesc}</td></tr>
 *   <tr><td>netpoll.go's poll_runtime_* (linknamed by internal/poll)</td><td>{@link dev.gort.runtime.NetpollRt}</td></tr>
 *   <tr><td>panic.go (fatalpanic, fatal), traceback.go</td>
 *       <td>{@link dev.gort.runtime.Panics}, {@link dev.gort.runtime.Traceback}</td></tr>
 *   <tr><td>mprof.go (goroutineProfileWithLabelsConcurrent, tryRecordGoroutineProfile,
 *       saveg), traceback.go's goroutineheader and printcreatedby</td>
 *       <td>{@link dev.gort.runtime.GoroutineProfile}, {@link dev.gort.runtime.ProfStack},
 *       {@link dev.gort.runtime.Traceback}</td></tr>
 *   <tr><td>mprof.go (SetBlockProfileRate, blockevent, SetMutexProfileFraction, mutexevent,
 *       the block and mutex buckets)</td>
 *       <td>{@link dev.gort.runtime.MProf}, {@link dev.gort.runtime.BlockStacks}</td></tr>
 *   <tr><td>panic.go's throw</td><td>{@link dev.gort.runtime.Throw}</td></tr>
 *   <tr><td>lock_spinbit.go (runtime mutex)</td>
 *       <td>{@link dev.gort.runtime.RMutex}, {@link dev.gort.runtime.SpinLock},
 *       {@link dev.gort.runtime.Backoff}</td></tr>
 *   <tr><td>runtime1.go (GODEBUG, GOMAXPROCS parsing)</td><td>{@link dev.gort.runtime.Env}</td></tr>
 *   <tr><td>trace.go (StartTrace, traceAdvance, ReadTrace), tracebuf.go, tracetime.go</td>
 *       <td>{@link dev.gort.runtime.Tracer}, {@link dev.gort.runtime.TraceThread},
 *       {@link dev.gort.runtime.TraceBuf}, {@link dev.gort.runtime.TraceSink}</td></tr>
 *   <tr><td>traceruntime.go, traceevent.go, tracestatus.go (the events, statuses)</td>
 *       <td>{@link dev.gort.runtime.TraceEv}, {@link dev.gort.runtime.TraceSched},
 *       {@link dev.gort.runtime.TraceEvents}</td></tr>
 *   <tr><td>tracestack.go, tracestring.go</td>
 *       <td>{@link dev.gort.runtime.TraceStack}, {@link dev.gort.runtime.TraceStrings}</td></tr>
 *   <tr><td>stack.go's g.stack and gobuf; mcall and gogo</td>
 *       <td>{@link dev.gort.runtime.GoStack} ({@link dev.gort.runtime.ContinuationStack}: a JDK continuation), {@link dev.gort.runtime.Park#mcall}</td></tr>
 * </table>
 *
 * <p>Go's linknamed entry points, which other packages call, are the only public classes,
 * small facades over the above: {@link dev.gort.runtime.Rt} (package runtime's functions,
 * for {@code dev.gort.Gort}), {@link dev.gort.runtime.ChanRt} (the channel and select
 * operations), {@link dev.gort.runtime.SyncRt} (sync's semaphores and notify lists),
 * {@link dev.gort.runtime.TimeRt} (package time's timers and sleep),
 * {@link dev.gort.runtime.TraceRt} (runtime/trace's: tracing, annotations),
 * {@link dev.gort.runtime.ProfRt} (runtime/pprof's and runtime.Stack's: goroutine profiles),
 * {@link dev.gort.runtime.MetricsRt} (runtime/metrics': the scheduler's counters, for the
 * MXBean), {@link dev.gort.runtime.ExploreRt} (controlled runs and synctest's Run and Wait, for {@code dev.gort.explore}) and {@link dev.gort.runtime.HookRt} (the agent's hooks, {@code dev.gort.runtime.hook}), plus
 * the two classes the API extends, {@link dev.gort.runtime.HChan} and
 * {@link dev.gort.runtime.SCase}, whose members are all internal.
 *
 * <p>gort's own pieces, with no Go counterpart:
 * <ul>
 *   <li>{@link dev.gort.runtime.Controlled}: controlled runs, one goroutine at a time on a
 *       controller's M, every scheduling choice a strategy's (Go's nearest kin: testing/synctest's
 *       bubbles and fake clock, and -race's randomizeScheduler);</li>
 *   <li>{@link dev.gort.runtime.Entry}: the door of every call from user code into the
 *       runtime (Go's getg() and prologue check, plus the handshake that lets sysmon take
 *       the P of a goroutine blocked in the JDK);</li>
 *   <li>{@link dev.gort.runtime.Current}: the current thread, read where the JIT cannot
 *       keep a stale one across a goroutine's move to another M;</li>
 *   <li>{@link dev.gort.runtime.ExternalG} and {@link dev.gort.runtime.Externals}: plain
 *       Java threads that use channels and locks, and the deadlock rule they change;</li>
 *   <li>{@link dev.gort.runtime.Run}: one {@code Gort.run}, gort's word for a Go program,
 *       of which a JVM may hold many;</li>
 *   <li>{@link dev.gort.runtime.StackReserve}: stack reserved at the door, as Go runs its
 *       runtime on the system stack;</li>
 *   <li>{@link dev.gort.runtime.ClassInits}: static initializers (Go has no class
 *       initialization): goroutines running one, and goroutines waiting for one inside the
 *       VM, judged by their threads' CPU clocks ({@link dev.gort.runtime.ThreadCpu});</li>
 *   <li>{@link dev.gort.runtime.Implicits}: the states and counts of implicit syscalls
 *       (goroutines sysmon found blocked outside gort);</li>
 *   <li>{@link dev.gort.runtime.VmAccess}, {@link dev.gort.runtime.Pin}: access to, and
 *       pinning of, the JDK's continuations;</li>
 *   <li>{@link dev.gort.runtime.Jfr}, {@link dev.gort.runtime.JfrEvents} and
 *       {@link dev.gort.runtime.Jmx}: Java's tools, the JFR events {@code dev.gort.*} (and the
 *       switch the hot paths read) and the registration of the MXBean
 *       {@code dev.gort:type=Runtime}.</li>
 * </ul>
 */
package dev.gort.runtime;
