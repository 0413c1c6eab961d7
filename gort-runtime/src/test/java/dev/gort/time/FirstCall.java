package dev.gort.time;

import dev.gort.Chan;
import dev.gort.Gort;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A program whose first gort call is a time operation on a plain thread, for
 * {@link FreshJvmTimeTest} (the runtime must start for it: the timer was dropped, and the
 * call hung, when nothing had started the runtime yet). Prints "ok" when the operation
 * completed. "manyTicks" is a stress case: a plain thread receiving many ticks.
 */
public final class FirstCall {
    /** Ticks received by "manyTicks": without the fix, it hung within 10 to 120. */
    static final int MANY_TICKS = 2000;

    private FirstCall() {}

    public static void main(String[] args) throws InterruptedException {
        Duration d = Duration.ofMillis(20);
        switch (args[0]) {
            case "sleep" -> Time.sleep(d);
            case "after" -> Time.after(d).recv();
            case "timer" -> Timer.newTimer(d).c().recv();
            case "ticker" -> {
                Ticker t = Ticker.newTicker(d);
                t.c().recv();
                t.c().recv();
                t.stop();
            }
            case "manyTicks" -> {
                // Each receive that blocks revives the ticker, which the previous one left a
                // zombie in its heap: the tick was lost (the receive hung) when an M looked
                // at the heap in between and went to sleep (RuntimeTimer.revivedZombie).
                Ticker t = Ticker.newTicker(Duration.ofMillis(1));
                for (int i = 0; i < MANY_TICKS; i++) {
                    t.c().recv();
                }
                t.stop();
            }
            case "afterFunc" -> {
                CountDownLatch fired = new CountDownLatch(1);
                Time.afterFunc(d, fired::countDown);
                fired.await();
            }
            case "afterFuncThenRun" -> {
                Chan<Integer> fired = Chan.make(1);
                Time.afterFunc(d, () -> fired.send(1));
                Gort.run(fired::recv);
            }
            default -> throw new IllegalArgumentException("unknown case " + args[0]);
        }
        System.out.println("ok");
    }
}
