package dev.gort.runtime;

import dev.gort.Gort;
import dev.gort.time.Time;
import dev.gort.time.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a fresh JVM with GOMAXPROCS=1 by {@code SchedulerTest.aGoschedWithNothingElseToRunStaysOnItsStack}
 * (nothing else queued anywhere, which a shared test JVM cannot promise). Prints one line
 * per check that failed, or "ok".
 *
 * <p>What tells the in-place Gosched from the switch: a pinned stack. The switch cannot
 * leave it (nothing happens, a pending preemption request stays); in place, the Gosched
 * takes effect all the same.
 */
public final class GoschedInPlaceProgram {
    private GoschedInPlaceProgram() {}

    public static void main(String[] args) {
        List<String> failed = new ArrayList<>();
        Gort.run(() -> {
            G gp = Park.getg();
            M mp = gp.m;
            P pp = mp.p;

            // Nothing else to run: a new time slice, the request dropped, without a switch.
            GoStack.pinCurrent();
            try {
                int tick = pp.schedtick;
                Gort.gosched();
                check(failed, pp.schedtick == tick + 1, "schedtick " + tick + " -> " + pp.schedtick + " across a pinned Gosched");
                // Sysmon may ask again just after (it read the tick before the Gosched: this
                // JVM's start runs long in one slice), so a few tries; a switch fails them all.
                boolean dropped = false;
                for (int i = 0; i < 10 && !dropped; i++) {
                    gp.preempt = true;
                    Gort.gosched();
                    dropped = !gp.preempt;
                }
                check(failed, dropped, "a pinned Gosched left the preemption request pending");
            } finally {
                GoStack.unpinCurrent();
            }

            // Work in a queue, or timers on the P: Go's path (a switch).
            Gort.go(() -> { });
            check(failed, !Park.goschedInPlace(mp, gp), "in place with a goroutine in runnext");
            Gort.gosched(); // runs it
            Sched.lock.lock();
            G other = new G();
            Sched.globrunqput(other);
            Sched.lock.unlock();
            check(failed, !Park.goschedInPlace(mp, gp), "in place with a goroutine on the global queue");
            Sched.lock.lock();
            check(failed, Sched.globrunqget() == other, "the queued G came back");
            Sched.lock.unlock();
            Timer t = Time.afterFunc(Duration.ofHours(1), () -> { });
            check(failed, !Park.goschedInPlace(mp, gp), "in place with a timer on the P");
            t.stop();
            Gort.gosched(); // a stopped timer is cleaned up by the P
            check(failed, Park.goschedInPlace(mp, gp), "not in place with nothing else to run");

            // Observers of the trip: a locked M (schedule's stoplockedm), execute's barrier
            // (a goroutine profile or a leak detection's window): Go's path.
            Gort.lockOSThread();
            check(failed, !Park.goschedInPlace(mp, gp), "in place on a locked M");
            Gort.unlockOSThread();
            GoroutineLeak.window = true;
            GoroutineProfile.setBarrier();
            check(failed, !Park.goschedInPlace(mp, gp), "in place with execute's barrier on");
            GoroutineLeak.window = false;
            GoroutineProfile.setBarrier();
            check(failed, Park.goschedInPlace(mp, gp), "not in place once the M is unlocked and the barrier off");
        });
        System.out.println(failed.isEmpty() ? "ok" : String.join("\n", failed));
    }

    private static void check(List<String> failed, boolean ok, String what) {
        if (!ok) {
            failed.add(what);
        }
    }
}
