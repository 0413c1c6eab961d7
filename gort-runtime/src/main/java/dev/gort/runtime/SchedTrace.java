package dev.gort.runtime;

/**
 * {@code GODEBUG=schedtrace=MS[,scheddetail=1]}: Go's schedtrace (proc.go), printed by
 * sysmon every MS milliseconds, with Go's field names so the same eyes and scripts read
 * both:
 * <pre>
 * SCHED 1000ms: gomaxprocs=2 idleprocs=1 threads=4 spinningthreads=0 needspinning=0 idlethreads=2 runqueue=0 [ 0 0 ] schedticks=[ 120 3 ]
 * </pre>
 * With scheddetail, one line per P, M and G instead of the bracketed lists.
 */
final class SchedTrace {
    private SchedTrace() {}

    private static long starttime;

    static void schedtrace(boolean detailed) {
        long now = Clock.nanotime();
        if (starttime == 0) {
            starttime = now;
        }
        StringBuilder b = new StringBuilder();
        Sched.lock.lock();
        try {
            P[] allp = Sched.allp;
            b.append("SCHED ").append((now - starttime) / 1_000_000).append("ms: gomaxprocs=").append(Sched.gomaxprocs)
                    .append(" idleprocs=").append(Sched.npidle).append(" threads=").append(Sched.mcount())
                    .append(" spinningthreads=").append(Sched.nmspinning).append(" needspinning=").append(Sched.needspinning)
                    .append(" idlethreads=").append(Sched.nmidle).append(" runqueue=").append(Sched.runq.size);
            if (detailed) {
                b.append(" gcwaiting=").append(Sched.gcwaiting).append(" nmidlelocked=").append(Sched.nmidlelocked)
                        .append(" stopwait=").append(Sched.stopwait).append(" sysmonwait=").append(Sched.sysmonwait).append('\n');
            }
            for (int i = 0; i < allp.length; i++) {
                P pp = allp[i];
                if (detailed) {
                    M mp = pp.m;
                    b.append("  P").append(i).append(": status=").append(pp.status).append(" schedtick=").append(pp.schedtick)
                            .append(" syscalltick=").append(pp.syscalltick).append(" m=").append(mp != null ? String.valueOf(mp.mid) : "nil")
                            .append(" runqsize=").append(RunQueue.runqlen(pp)).append(" gfreecnt=").append(pp.gFreeSize)
                            .append(" timerslen=").append(pp.timers.len()).append('\n');
                } else {
                    b.append(' ');
                    if (i == 0) {
                        b.append("[ ");
                    }
                    b.append(RunQueue.runqlen(pp));
                    if (i == allp.length - 1) {
                        b.append(" ]");
                    }
                }
            }
            if (!detailed) {
                b.append(" schedticks=[ ");
                for (P pp : allp) {
                    b.append(pp.schedtick).append(' ');
                }
                b.append("]\n");
                print(b);
                return;
            }
            for (M mp : Sched.allm()) {
                P pp = mp.p;
                G curg = mp.curg;
                G lockedg = mp.lockedg;
                b.append("  M").append(mp.mid).append(": p=").append(pp != null ? String.valueOf(pp.id) : "nil")
                        .append(" curg=").append(curg != null ? String.valueOf(curg.goid) : "nil")
                        .append(" locks=").append(mp.inRuntime).append(" spinning=").append(mp.spinning)
                        .append(" lockedg=").append(lockedg != null ? String.valueOf(lockedg.goid) : "nil").append('\n');
            }
            int n = Sched.allglen;
            Object[] gs = Sched.allgs;
            for (int i = 0; i < n; i++) {
                G gp = Sched.allg(gs, i);
                if (gp == null) {
                    continue;
                }
                M mp = gp.m;
                M lockedm = gp.lockedm();
                b.append("  G").append(gp.goid).append(": status=").append(G.readgstatus(gp)).append('(')
                        .append(gp.waitreason.text).append(") m=").append(mp != null ? String.valueOf(mp.mid) : "nil")
                        .append(" lockedm=").append(lockedm != null ? String.valueOf(lockedm.mid) : "nil").append('\n');
            }
        } finally {
            Sched.lock.unlock();
        }
        print(b);
    }

    private static void print(StringBuilder b) {
        System.err.print(b);
        System.err.flush();
    }
}
