package dev.gort.agentit;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Select;
import dev.gort.time.Time;

import java.time.Duration;

/**
 * Go's TestPingPongHog (proc_test.go), with {@code maxprocs=1}: a pair of goroutines doing
 * 1e6 increments per hand-off and a pair doing 1e3 share one P; since a pair handing the
 * P back and forth inherits one time slice, sysmon preempts it, and both pairs get
 * comparable time. Prints both counts; AgentIT checks they are within 20x.
 *
 * <p>Differences from Go: the same 100 ms round runs three times and only the last is
 * printed. In the first rounds the JIT has compiled the hog's long loop (on-stack
 * replacement) but not yet the light pair's short one, which would skew the counts by
 * warm-up, not by scheduling.
 */
public final class PingPongHog {
    static long hogCount, lightCount;

    public static void main(String[] args) {
        Gort.main(() -> {
            for (int round = 0; round < 3; round++) {
                hogCount = 0;
                lightCount = 0;
                round();
            }
            System.out.println("hog " + hogCount + " light " + lightCount);
        });
    }

    static void round() {
        {
            Chan<Boolean> done = Chan.make();
            Chan<Boolean> hog = Chan.make();
            Chan<Boolean> light = Chan.make();
            for (int i = 0; i < 2; i++) {
                Gort.go(() -> run(1_000_000, true, done, hog));
                Gort.go(() -> run(1_000, false, done, light));
            }
            hog.send(true);
            light.send(true);
            Time.sleep(Duration.ofMillis(100));
            done.close();
            hog.recv();
            light.recv();
        }
    }

    static void run(int limit, boolean isHog, Chan<Boolean> done, Chan<Boolean> wake) {
        for (;;) {
            boolean[] stop = {false};
            Select.select(
                    Select.recv(done, v -> stop[0] = true),
                    Select.recv(wake, v -> {
                        for (int i = 0; i < limit; i++) {
                            if (isHog) {
                                hogCount++;
                            } else {
                                lightCount++;
                            }
                        }
                        wake.send(true);
                    }));
            if (stop[0]) {
                return;
            }
        }
    }
}
