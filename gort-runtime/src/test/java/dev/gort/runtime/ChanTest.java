package dev.gort.runtime;

import dev.gort.Chan;
import dev.gort.Gort;
import dev.gort.Panic;
import dev.gort.Recv;
import dev.gort.Select;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gort.runtime.Testing.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Channel semantics, after Go's runtime/chan_test.go (TestChan and friends). Where Go
 * sleeps to let a goroutine block, these tests wait until it is queued on the channel.
 */
class ChanTest {

    /** Go's TestChan, for capacities 0..N. */
    @Test
    void blockingAndNonBlockingOperationsAtManyCapacities() {
        int n = stress(30);
        runWithProcs(4, () -> {
            for (int cap = 0; cap < n; cap++) {
                final int chanCap = cap;
                {
                    // Ensure that receive from empty chan blocks.
                    Chan<Integer> c = Chan.make(chanCap);
                    AtomicBoolean recv1 = new AtomicBoolean(), recv2 = new AtomicBoolean();
                    Gort.go(() -> {
                        c.recv();
                        recv1.set(true);
                    });
                    Gort.go(() -> {
                        c.recvOk();
                        recv2.set(true);
                    });
                    waitRecvWaiters(c, 2);
                    assertFalse(recv1.get() || recv2.get(), "chan[" + chanCap + "]: receive from empty chan");
                    // Ensure that non-blocking receive does not block.
                    assertNull(c.tryRecv(), "chan[" + chanCap + "]: receive from empty chan");
                    assertEquals(1, Select.select(Select.recv(c, v -> fail("receive from empty chan")), Select.otherwise(null)));
                    c.send(0);
                    c.send(0);
                    waitUntil("both receivers ran", () -> recv1.get() && recv2.get());
                }
                {
                    // Ensure that send to full chan blocks.
                    Chan<Integer> c = Chan.make(chanCap);
                    for (int i = 0; i < chanCap; i++) {
                        c.send(i);
                    }
                    AtomicBoolean sent = new AtomicBoolean();
                    Gort.go(() -> {
                        c.send(0);
                        sent.set(true);
                    });
                    waitSendWaiters(c, 1);
                    assertFalse(sent.get(), "chan[" + chanCap + "]: send to full chan");
                    // Ensure that non-blocking send does not block.
                    assertFalse(c.trySend(0), "chan[" + chanCap + "]: send to full chan");
                    c.recv();
                    waitUntil("the sender completed", sent::get);
                }
                {
                    // Ensure that we receive 0 (null) from closed chan.
                    Chan<Integer> c = Chan.make(chanCap);
                    for (int i = 0; i < chanCap; i++) {
                        c.send(i);
                    }
                    c.close();
                    for (int i = 0; i < chanCap; i++) {
                        assertEquals(i, c.recv());
                    }
                    assertNull(c.recv());
                    assertEquals(new Recv<>(null, false), c.recvOk());
                }
                {
                    // Ensure that close unblocks receive.
                    Chan<Integer> c = Chan.make(chanCap);
                    Chan<Boolean> done = Chan.make();
                    Gort.go(() -> {
                        Recv<Integer> r = c.recvOk();
                        done.send(r.value() == null && !r.ok());
                    });
                    waitRecvWaiters(c, 1);
                    c.close();
                    assertTrue(done.recv(), "chan[" + chanCap + "]: received non zero from closed chan");
                }
                {
                    // Send 100 integers, ensure that we receive them non-corrupted in FIFO order.
                    Chan<Integer> c = Chan.make(chanCap);
                    Gort.go(() -> {
                        for (int i = 0; i < 100; i++) {
                            c.send(i);
                        }
                    });
                    for (int i = 0; i < 100; i++) {
                        assertEquals(i, c.recv());
                    }
                    // Same, but using recvOk.
                    Gort.go(() -> {
                        for (int i = 0; i < 100; i++) {
                            c.send(i);
                        }
                    });
                    for (int i = 0; i < 100; i++) {
                        Recv<Integer> r = c.recvOk();
                        assertTrue(r.ok());
                        assertEquals(i, r.value());
                    }
                    // Send 1000 integers in 4 goroutines, ensure that we receive what we send.
                    int p = 4, l = 1000;
                    for (int k = 0; k < p; k++) {
                        Gort.go(() -> {
                            for (int i = 0; i < l; i++) {
                                c.send(i);
                            }
                        });
                    }
                    Chan<Map<Integer, Integer>> done = Chan.make();
                    for (int k = 0; k < p; k++) {
                        Gort.go(() -> {
                            Map<Integer, Integer> recv = new HashMap<>();
                            for (int i = 0; i < l; i++) {
                                recv.merge(c.recv(), 1, Integer::sum);
                            }
                            done.send(recv);
                        });
                    }
                    Map<Integer, Integer> recv = new HashMap<>();
                    for (int k = 0; k < p; k++) {
                        done.recv().forEach((key, v) -> recv.merge(key, v, Integer::sum));
                    }
                    assertEquals(l, recv.size());
                    for (int v : recv.values()) {
                        assertEquals(p, v);
                    }
                }
                {
                    // Test len/cap.
                    Chan<Integer> c = Chan.make(chanCap);
                    assertEquals(0, c.len());
                    assertEquals(chanCap, c.cap());
                    for (int i = 0; i < chanCap; i++) {
                        c.send(i);
                    }
                    assertEquals(chanCap, c.len());
                    assertEquals(chanCap, c.cap());
                }
            }
        });
    }

    /** Go's TestNonblockRecvRace. */
    @Test
    void nonblockingReceiveRacingWithClose() {
        int n = stress(10_000);
        AtomicBoolean failed = new AtomicBoolean();
        Gort.run(() -> {
            for (int i = 0; i < n && !failed.get(); i++) {
                Chan<Integer> c = Chan.make(1);
                c.send(1);
                Gort.go(() -> {
                    if (Select.select(Select.recv(c, null), Select.otherwise(null)) != 0) {
                        failed.set(true); // chan is not ready
                    }
                });
                c.close();
                c.recv();
            }
        });
        assertFalse(failed.get(), "a non-blocking receive saw a ready channel as not ready");
    }

    /** Go's TestNonblockSelectRace and TestNonblockSelectRace2: select acts at one moment. */
    @Test
    void nonblockingSelectSeesOneMoment() {
        int n = stress(20_000);
        for (boolean closeC2 : new boolean[] {false, true}) {
            Gort.run(() -> {
                Chan<Boolean> done = Chan.make(1);
                for (int i = 0; i < n; i++) {
                    Chan<Integer> c1 = Chan.make(1);
                    Chan<Integer> c2 = closeC2 ? Chan.make() : Chan.make(1);
                    c1.send(1);
                    Gort.go(() -> {
                        int k = Select.select(Select.recv(c1, null), Select.recv(c2, null), Select.otherwise(null));
                        done.send(k != 2);
                    });
                    if (closeC2) {
                        c2.close();
                    } else {
                        c2.send(1);
                    }
                    c1.tryRecv();
                    assertTrue(done.recv(), "no chan is ready");
                }
            });
        }
    }

    /** Go's TestSelfSelect: send and receive on the same channel in one select. */
    @Test
    void selectSendingAndReceivingOnTheSameChannel() {
        for (int chanCap : new int[] {0, 10}) {
            AtomicBoolean selfReceive = new AtomicBoolean();
            runWithProcs(2, () -> {
                Chan<Integer> c = Chan.make(chanCap);
                Chan<Integer> wg = Chan.make(2);
                for (int p = 0; p < 2; p++) {
                    final int me = p;
                    Gort.go(() -> {
                        for (int i = 0; i < 1000; i++) {
                            Select.Case recv = Select.recv(c, v -> {
                                if (chanCap == 0 && v == me) {
                                    selfReceive.set(true);
                                }
                            });
                            Select.Case send = Select.send(c, me, null);
                            if (me == 0 || i % 2 == 0) {
                                Select.select(send, recv);
                            } else {
                                Select.select(recv, send);
                            }
                        }
                        wg.send(1);
                    });
                }
                wg.recv();
                wg.recv();
            });
            assertFalse(selfReceive.get(), "self receive");
        }
    }

    /** Go's TestSelectStress: chaotic sends, receives and selects on 4 channels never deadlock. */
    @Test
    void selectStress() {
        int n = stress(20_000);
        runWithProcs(10, () -> {
            List<Chan<Integer>> c = List.of(Chan.make(), Chan.make(), Chan.make(2), Chan.make(3));
            Chan<Integer> wg = Chan.make(10);
            for (int k = 0; k < 4; k++) {
                Chan<Integer> ck = c.get(k);
                Gort.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ck.send(0);
                    }
                    wg.send(1);
                });
                Gort.go(() -> {
                    for (int i = 0; i < n; i++) {
                        ck.recv();
                    }
                    wg.send(1);
                });
            }
            Gort.go(() -> {
                int[] cnt = new int[4];
                List<Chan<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    Select.select(
                            Select.send(c1.get(3), 0, () -> { if (++cnt[3] == n) c1.set(3, null); }),
                            Select.send(c1.get(2), 0, () -> { if (++cnt[2] == n) c1.set(2, null); }),
                            Select.send(c1.get(0), 0, () -> { if (++cnt[0] == n) c1.set(0, null); }),
                            Select.send(c1.get(1), 0, () -> { if (++cnt[1] == n) c1.set(1, null); }));
                }
                wg.send(1);
            });
            Gort.go(() -> {
                int[] cnt = new int[4];
                List<Chan<Integer>> c1 = new ArrayList<>(c);
                for (int i = 0; i < 4 * n; i++) {
                    Select.select(
                            Select.recv(c1.get(0), v -> { if (++cnt[0] == n) c1.set(0, null); }),
                            Select.recv(c1.get(1), v -> { if (++cnt[1] == n) c1.set(1, null); }),
                            Select.recv(c1.get(2), v -> { if (++cnt[2] == n) c1.set(2, null); }),
                            Select.recv(c1.get(3), v -> { if (++cnt[3] == n) c1.set(3, null); }));
                }
                wg.send(1);
            });
            for (int i = 0; i < 10; i++) {
                wg.recv();
            }
        });
    }

    /** Go's TestSelectFairness: within 10 sigma of uniform. */
    @Test
    void selectIsFair() {
        int trials = 10_000;
        int[] cnt = new int[3];
        Gort.run(() -> {
            Chan<Integer> c1 = Chan.make(trials + 1);
            Chan<Integer> c2 = Chan.make(trials + 1);
            for (int i = 0; i < trials + 1; i++) {
                c1.send(1);
                c2.send(2);
            }
            Chan<Integer> c3 = Chan.make();
            Chan<Integer> c4 = Chan.make();
            Chan<Integer> out = Chan.make();
            Chan<Integer> done = Chan.make();
            Chan<Integer> wg = Chan.make(1);
            Gort.go(() -> {
                for (;;) {
                    Integer[] b = new Integer[1];
                    Select.select(Select.recv(c3, v -> b[0] = v), Select.recv(c4, v -> b[0] = v),
                            Select.recv(c1, v -> b[0] = v), Select.recv(c2, v -> b[0] = v));
                    if (Select.select(Select.send(out, b[0], null), Select.recv(done, null)) == 1) {
                        wg.send(1);
                        return;
                    }
                }
            });
            for (int i = 0; i < trials; i++) {
                cnt[out.recv()]++;
            }
            done.close();
            wg.recv();
        });
        double mean = trials * 0.5;
        double stddev = Math.sqrt(trials * 0.5 * (1 - 0.5));
        assertTrue(Math.abs(cnt[1] - mean) <= 10 * stddev, "unfair select: in " + trials + " trials, results were " + cnt[1] + ", " + cnt[2]);
    }

    /** Go's TestPseudoRandomSend: a select between two sends picks both. */
    @Test
    void selectBetweenSendsIsPseudoRandom() {
        int n = 100;
        for (int chanCap : new int[] {0, n}) {
            int[] l = new int[n];
            Gort.run(() -> {
                Chan<Integer> c = Chan.make(chanCap);
                Chan<Integer> done = Chan.make();
                Gort.go(() -> {
                    for (int i = 0; i < n; i++) {
                        Gort.gosched();
                        l[i] = c.recv();
                    }
                    done.send(1);
                });
                for (int i = 0; i < n; i++) {
                    Select.select(Select.send(c, 1, null), Select.send(c, 0, null));
                }
                done.recv();
            });
            int n1 = 0;
            for (int v : l) {
                n1 += v;
            }
            int n0 = n - n1;
            assertTrue(n0 > n / 10 && n1 > n / 10, "want pseudorandom, got " + n0 + " zeros and " + n1 + " ones (chan cap " + chanCap + ")");
        }
    }

    /** Go's TestMultiConsumer: range over a channel with many workers; nothing lost or duplicated. */
    @Test
    void multiConsumer() {
        int nwork = 23;
        int niter = stress(271828 / 4);
        int[] pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
        long[] got = new long[2];
        long[] expect = new long[1];
        Gort.run(() -> {
            Chan<Integer> q = Chan.make(nwork * 3);
            Chan<Integer> r = Chan.make(nwork * 3);
            Chan<Integer> wg = Chan.make(nwork);
            for (int i = 0; i < nwork; i++) {
                final int w = i;
                Gort.go(() -> {
                    for (Integer v : q) {
                        // mess with the fifo-ish nature of range
                        if (pn[w % pn.length] == v) {
                            Gort.gosched();
                        }
                        r.send(v);
                    }
                    wg.send(1);
                });
            }
            Gort.go(() -> { // feeder & closer
                for (int i = 0; i < niter; i++) {
                    int v = pn[i % pn.length];
                    expect[0] += v;
                    q.send(v);
                }
                q.close(); // no more work
                for (int i = 0; i < nwork; i++) {
                    wg.recv(); // workers done
                }
                r.close(); // ... so there can be no more results
            });
            for (Integer v : r) {
                got[0]++;
                got[1] += v;
            }
        });
        assertEquals(niter, got[0]);
        assertEquals(expect[0], got[1]);
    }

    /** Go's TestSelectDuplicateChannel: a G queued twice on one channel, then woken by another. */
    @Test
    void selectQueuedTwiceOnOneChannel() {
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> d = Chan.make();
            Chan<Integer> e = Chan.make();
            Gort.go(() -> { // goroutine A
                Select.select(Select.recv(c, null), Select.recv(c, null), Select.recv(d, null));
                e.send(9);
            });
            waitRecvWaiters(c, 2); // A is queued first on c (twice)
            Gort.go(c::recv); // goroutine B
            waitRecvWaiters(c, 3); // B is queued on c behind A
            d.send(7); // wakes A, which dequeues itself from c; this used to corrupt c.recvq
            e.recv();
            waitRecvWaiters(c, 1);
            c.send(8); // wakes B (not the already-running A)
        });
    }

    /** test/chan/fifo.go: a chain of goroutines preserves order; waiting senders are served FIFO. */
    @Test
    void waitingSendersAreServedInOrder() {
        int n = 10;
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            for (int i = 0; i < n; i++) {
                final int v = i;
                Gort.go(() -> c.send(v));
                waitSendWaiters(c, i + 1);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, c.recv());
            }
        });
        Gort.run(() -> {
            Chan<Integer> c = Chan.make();
            Chan<Integer> out = Chan.make(n);
            for (int i = 0; i < n; i++) {
                final int v = i;
                Gort.go(() -> out.send(c.recv() * 100 + v));
                waitRecvWaiters(c, i + 1);
            }
            for (int i = 0; i < n; i++) {
                c.send(i);
                assertEquals(i * 101, out.recv(), "receivers are served in the order they queued");
            }
        });
    }

    /** test/chan/fifo.go's AsynchFifo and Chain. */
    @Test
    void bufferedChannelsAndChainsAreFifo() {
        int n = 10;
        Gort.run(() -> {
            Chan<Integer> ch = Chan.make(n);
            for (int i = 0; i < n; i++) {
                ch.send(i);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, ch.recv(), "bad receive");
            }
            // SynchFifo: thread together a daisy chain to read the elements in sequence
            Chan<Integer> c = Chan.make();
            Chan<Integer> start = Chan.make();
            Chan<Integer> in = start;
            for (int i = 0; i < n; i++) {
                Chan<Integer> out = Chan.make();
                final int val = i;
                Chan<Integer> from = in;
                Gort.go(() -> { // Go's Chain
                    from.recv();
                    assertEquals(val, c.recv());
                    out.send(1);
                });
                in = out;
            }
            start.send(0);
            for (int i = 0; i < n; i++) {
                c.send(i);
            }
            in.recv();
        });
    }

    /** test/chan/nonblock.go: non-blocking ops on every capacity, with and without a peer. */
    @Test
    void nonblockingOperationsWithAndWithoutPeers() {
        Gort.run(() -> {
            for (int buffer : new int[] {0, 1}) {
                Chan<Integer> c = Chan.make(buffer);
                assertNull(c.tryRecv(), "recv should fail on an empty channel");
                if (buffer == 0) {
                    assertFalse(c.trySend(1), "an unbuffered send with no receiver must fail");
                } else {
                    assertTrue(c.trySend(1));
                    assertFalse(c.trySend(2), "the buffer is full");
                    assertEquals(new Recv<>(1, true), c.tryRecv());
                }
                // with a receiver waiting, a non-blocking send succeeds
                Chan<Integer> got = Chan.make(1);
                Gort.go(() -> got.send(c.recv()));
                waitRecvWaiters(c, 1);
                assertTrue(c.trySend(7));
                assertEquals(7, got.recv());
                // with a sender waiting, a non-blocking receive succeeds
                Gort.go(() -> {
                    c.send(8);
                    if (buffer > 0) {
                        c.send(9);
                    }
                });
                if (buffer == 0) {
                    waitSendWaiters(c, 1);
                } else {
                    waitSendWaiters(c, 1); // one buffered, one waiting
                }
                assertEquals(new Recv<>(8, true), c.tryRecv());
                if (buffer > 0) {
                    assertEquals(9, c.recv());
                }
                c.close();
                assertEquals(new Recv<>(null, false), c.tryRecv(), "a closed channel is ready");
            }
        });
    }

    /** test/chan/select3.go: which operations block and which panic. */
    @Test
    void closedChannelsPanicWithGosTexts() {
        Gort.run(() -> {
            Chan<Integer> closed = Chan.make();
            closed.close();
            assertEquals("send on closed channel", assertThrows(Panic.class, () -> closed.send(1)).getMessage());
            assertEquals("send on closed channel", assertThrows(Panic.class, () -> closed.trySend(1)).getMessage());
            assertEquals("close of closed channel", assertThrows(Panic.class, closed::close).getMessage());
            assertEquals("send on closed channel", assertThrows(Panic.class,
                    () -> Select.select(Select.send(closed, 1, null))).getMessage());
            assertEquals(0, Select.select(Select.recv(closed, v -> assertNull(v))), "a closed channel is always ready to receive");
            assertEquals("makechan: size out of range", assertThrows(Panic.class, () -> Chan.make(-1)).getMessage());

            // a sender blocked when the channel is closed panics
            Chan<Integer> c = Chan.make();
            Chan<String> msg = Chan.make(1);
            Gort.go(() -> {
                try {
                    c.send(1);
                    msg.send("sent");
                } catch (Panic p) {
                    msg.send(p.getMessage());
                }
            });
            waitSendWaiters(c, 1);
            c.close();
            assertEquals("send on closed channel", msg.recv());

            // a select blocked on a send is woken by the close and panics
            Chan<Integer> d = Chan.make();
            Gort.go(() -> {
                try {
                    Select.select(Select.send(d, 1, null), Select.recv(null, null));
                    msg.send("sent");
                } catch (Panic p) {
                    msg.send(p.getMessage());
                }
            });
            waitSendWaiters(d, 1);
            d.close();
            assertEquals("send on closed channel", msg.recv());
        });
    }

    @Test
    void nilChannelCasesAreNeverReady() {
        Gort.run(() -> {
            Chan<Integer> nil = null;
            assertEquals(1, Select.select(Select.recv(nil, v -> fail()), Select.otherwise(null)));
            assertEquals(1, Select.select(Select.send(nil, 1, () -> fail()), Select.otherwise(null)));
            Chan<Integer> c = Chan.make(1);
            c.send(5);
            int[] got = new int[1];
            assertEquals(1, Select.select(Select.recv(nil, v -> fail()), Select.recv(c, v -> got[0] = v)));
            assertEquals(5, got[0]);
        });
    }

    /** Go's makechan panics past maxAlloc; on the JVM, past the largest array. */
    @Test
    void bufferLargerThanAnyArrayPanics() {
        for (int size : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 7, -1, Integer.MIN_VALUE}) {
            Panic p = assertThrows(Panic.class, () -> Chan.make(size), "size " + size);
            assertEquals("makechan: size out of range", p.getMessage());
        }
    }

    /** Chan.nil() is Go's nil channel everywhere, not only in a select. */
    @Test
    void nilChannelBehavesAsGosEverywhere() {
        Chan<Integer> nil = Chan.nil();
        assertSame(nil, Chan.<String>nil(), "one nil channel serves every element type");
        assertFalse(nil.trySend(1));
        assertNull(nil.tryRecv());
        assertEquals(0, nil.len());
        assertEquals(0, nil.cap());
        assertEquals("close of nil channel", assertThrows(Panic.class, nil::close).getMessage());
        Gort.run(() -> {
            int sendBlocked = parked("chan send (nil chan)");
            int recvBlocked = parked("chan receive (nil chan)");
            Gort.go(() -> {
                nil.send(1);
                fail("a send on the nil channel returned");
            });
            Gort.go(() -> {
                nil.recv();
                fail("a receive on the nil channel returned");
            });
            Gort.go(() -> {
                for (Integer v : nil) {
                    fail("range over the nil channel yielded " + v);
                }
            });
            waitUntil("goroutines blocked for good on the nil channel",
                    () -> parked("chan send (nil chan)") == sendBlocked + 1
                            && parked("chan receive (nil chan)") == recvBlocked + 2);
            // Never ready in a select: a real case wins, and with only nil cases the default runs.
            Chan<Integer> c = Chan.make(1);
            c.send(7);
            Select.Chosen ch = Select.choose(Select.recv(nil, null), Select.send(nil, 1, null), Select.recv(c, null));
            assertEquals(new Select.Chosen(2, 7, true), ch);
            assertEquals(2, Select.select(Select.recv(nil, v -> fail()), Select.send(nil, 1, () -> fail()),
                    Select.otherwise(null)));
        });
    }

    /** A deadlock on the nil channel is reported with Go's wait reason. */
    @Test
    void deadlockOnTheNilChannelNamesIt() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        try {
            dev.gort.FatalError e = assertThrows(dev.gort.FatalError.class, () -> Gort.run(() -> Chan.<Integer>nil().recv()));
            assertEquals("all goroutines are asleep - deadlock!", e.getMessage());
        } finally {
            System.setErr(saved);
        }
        assertTrue(buf.toString().contains(" [chan receive (nil chan)]:\n"), buf.toString());
    }

    /**
     * Go's compiler lowers a one-case select to the plain operation and a one-case select
     * with a default to the non-blocking one: a goroutine blocked in it waits with the
     * operation's reason, not "select".
     */
    @Test
    void oneCaseSelectsAreThePlainOperations() {
        Gort.run(() -> {
            Chan<Integer> r = Chan.make(), w = Chan.make(), s1 = Chan.make(), s2 = Chan.make();
            Chan<Integer> none = null;
            List<String> reasons = List.of("chan receive", "chan send", "chan receive (nil chan)", "chan send (nil chan)", "select");
            Map<String, Integer> before = new HashMap<>();
            for (String reason : reasons) {
                before.put(reason, parked(reason));
            }
            Gort.go(() -> Select.select(Select.recv(r, null)));
            Gort.go(() -> Select.select(Select.send(w, 1, null)));
            Gort.go(() -> Select.select(Select.recv(none, null)));
            Gort.go(() -> Select.select(Select.send(none, 1, null)));
            Gort.go(() -> Select.select(Select.recv(s1, null), Select.recv(s2, null)));
            waitUntil("each goroutine blocked with its operation's wait reason",
                    () -> reasons.stream().allMatch(reason -> parked(reason) == before.get(reason) + 1));
            r.send(1);
            assertEquals(1, w.recv());
            s2.send(2);
            // A one-case select with a default never blocks, and proceeds when it can.
            Chan<Integer> b = Chan.make(1);
            assertEquals(1, Select.select(Select.recv(b, v -> fail()), Select.otherwise(null)));
            assertEquals(0, Select.select(Select.send(b, 3, null), Select.otherwise(() -> fail())));
            assertEquals(1, Select.select(Select.send(b, 4, () -> fail()), Select.otherwise(null)));
            int[] got = new int[1];
            assertEquals(1, Select.select(Select.otherwise(() -> fail()), Select.recv(b, v -> got[0] = v)));
            assertEquals(3, got[0]);
            b.close();
            assertEquals(new Select.Chosen(0, null, false), Select.choose(Select.recvOk(b, null), Select.otherwise(null)));
            assertEquals("send on closed channel",
                    assertThrows(Panic.class, () -> Select.select(Select.send(b, 1, null))).getMessage());
        });
    }

    /** Select.choose: the select without bodies, for loops that break or return on its outcome. */
    @Test
    void chooseReportsTheCaseAndWhatItReceived() {
        AtomicInteger bodies = new AtomicInteger();
        Gort.run(() -> {
            Chan<Integer> in = Chan.make(3);
            Chan<Integer> quit = Chan.make();
            Chan<String> out = Chan.make(1);
            in.send(1);
            in.send(2);
            in.close();
            int sum = 0;
            loop:
            for (;;) {
                Select.Chosen ch = Select.choose(Select.recvOk(in, (v, ok) -> bodies.incrementAndGet()),
                        Select.recv(quit, v -> bodies.incrementAndGet()));
                switch (ch.index()) {
                    case 0 -> {
                        if (!ch.ok()) {
                            assertNull(ch.value());
                            break loop; // Go: case v, ok := <-in: if !ok { break loop }
                        }
                        sum += (Integer) ch.value();
                    }
                    default -> fail("quit is never ready");
                }
            }
            assertEquals(3, sum);
            assertEquals(new Select.Chosen(0, null, false), Select.choose(Select.send(out, "x", bodies::incrementAndGet)));
            assertEquals("x", out.recv());
            assertEquals(new Select.Chosen(1, null, false), Select.choose(Select.recv(quit, null), Select.otherwise(bodies::incrementAndGet)));
        });
        assertEquals(0, bodies.get(), "choose runs no body");
    }

    @Test
    void selectWithOnlyOtherwiseNeverBlocks() {
        AtomicInteger ran = new AtomicInteger();
        Gort.run(() -> assertEquals(0, Select.select(Select.otherwise(ran::incrementAndGet))));
        assertEquals(1, ran.get());
    }

    @Test
    void twoOtherwiseCasesAreRejected() {
        Gort.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Select.select(Select.otherwise(null), Select.otherwise(null)));
            assertTrue(e.getMessage().contains("multiple defaults"), e.getMessage());
            // the runtime keeps working
            Chan<Integer> c = Chan.make(1);
            c.send(1);
            assertEquals(1, c.recv());
        });
    }

    @Test
    void selectRecvOkReportsClose() {
        Gort.run(() -> {
            Chan<String> c = Chan.make(1);
            c.send("x");
            c.close();
            List<Recv<String>> seen = new ArrayList<>();
            Select.select(Select.recvOk(c, (v, ok) -> seen.add(new Recv<>(v, ok))));
            Select.select(Select.recvOk(c, (v, ok) -> seen.add(new Recv<>(v, ok))));
            assertEquals(List.of(new Recv<>("x", true), new Recv<String>(null, false)), seen);
        });
    }

    @Test
    void blockedSelectIsWokenByEachKindOfCase() {
        Gort.run(() -> {
            for (int kind = 0; kind < 3; kind++) {
                Chan<Integer> a = Chan.make();
                Chan<Integer> b = Chan.make();
                Chan<String> result = Chan.make(1);
                Gort.go(() -> {
                    int i = Select.select(
                            Select.recvOk(a, (v, ok) -> result.send("a " + v + " " + ok)),
                            Select.send(b, 42, () -> result.send("b")));
                    assertTrue(i == 0 || i == 1);
                });
                waitRecvWaiters(a, 1);
                waitSendWaiters(b, 1);
                switch (kind) {
                    case 0 -> {
                        a.send(7);
                        assertEquals("a 7 true", result.recv());
                    }
                    case 1 -> {
                        assertEquals(42, b.recv());
                        assertEquals("b", result.recv());
                    }
                    default -> {
                        a.close();
                        assertEquals("a null false", result.recv());
                    }
                }
                // the losing case was dequeued
                waitRecvWaiters(a, 0);
                waitSendWaiters(b, 0);
            }
        });
    }

    @Test
    void nullValuesAreValues() {
        Gort.run(() -> {
            Chan<String> c = Chan.make(1);
            c.send(null);
            assertEquals(new Recv<String>(null, true), c.recvOk());
            Chan<String> u = Chan.make();
            Gort.go(() -> u.send(null));
            assertEquals(new Recv<String>(null, true), u.recvOk());
        });
    }

    @Test
    void rangeStopsAfterCloseAndDrain() {
        Gort.run(() -> {
            Chan<Integer> c = Chan.make(3);
            Gort.go(() -> {
                for (int i = 0; i < 5; i++) {
                    c.send(i);
                }
                c.close();
            });
            List<Integer> got = new ArrayList<>();
            for (Integer v : c) {
                got.add(v);
            }
            assertEquals(List.of(0, 1, 2, 3, 4), got);
            Iterator<Integer> it = c.iterator();
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        });
    }

    @Test
    void selectWithNoCasesBlocksForever() {
        Chan<String> state = Chan.make(1);
        Gort.run(() -> {
            Gort.go(() -> {
                state.send("blocking");
                Select.select();
                state.send("woke");
            });
            assertEquals("blocking", state.recv());
            waitUntil("the goroutine is parked in select (no cases)", () -> {
                for (G gp : Testing.allgs()) {
                    if (G.readgstatus(gp) == G._Gwaiting && gp.waitreason == WaitReason.SELECT_NO_CASES) {
                        return true;
                    }
                }
                return false;
            });
        });
        assertNull(state.tryRecv());
    }

    /** Go's sieve (test/chan/sieve1.go): the classic pipeline of goroutines. */
    @Test
    void primeSieve() {
        List<Integer> primes = new ArrayList<>();
        Gort.run(() -> {
            Chan<Integer> ch = Chan.make();
            Gort.go(() -> {
                for (int i = 2; ; i++) {
                    ch.send(i);
                }
            });
            Chan<Integer> in = ch;
            for (int i = 0; i < 25; i++) {
                int prime = in.recv();
                primes.add(prime);
                Chan<Integer> out = Chan.make();
                Chan<Integer> src = in;
                Gort.go(() -> {
                    for (;;) {
                        int v = src.recv();
                        if (v % prime != 0) {
                            out.send(v);
                        }
                    }
                });
                in = out;
            }
        });
        assertEquals(List.of(2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97), primes);
    }

    /** test/chan/doubleselect.go: two cases of one select must never both run (no value twice). */
    @Test
    void selectNeverRunsTwoCases() {
        int n = stress(50_000);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        runWithProcs(2, () -> {
            List<Chan<Integer>> cs = List.of(Chan.make(), Chan.make(), Chan.make(), Chan.make());
            Chan<Boolean> done = Chan.make();
            Chan<Integer> cmux = Chan.make();
            Gort.go(() -> { // sender
                try {
                    for (int i = 0; i < n; i++) {
                        Select.select(Select.send(cs.get(0), i, null), Select.send(cs.get(1), i, null),
                                Select.send(cs.get(2), i, null), Select.send(cs.get(3), i, null));
                    }
                } finally {
                    cs.forEach(Chan::close);
                }
            });
            for (Chan<Integer> in : cs) { // mux
                Gort.go(() -> {
                    for (Integer v : in) {
                        cmux.send(v);
                    }
                    done.send(true);
                });
            }
            Gort.go(() -> {
                for (int i = 0; i < 4; i++) {
                    done.recv();
                }
                cmux.close();
            });
            for (Integer v : cmux) { // recver
                assertTrue(seen.add(v), "got duplicate value: " + v);
            }
        });
        assertEquals(n, seen.size());
    }

    /** test/chan/select6.go: a select woken by one case is dequeued from the others (no lost wake-up of a later receiver). */
    @Test
    void wokenSelectLeavesTheOtherQueues() {
        Gort.run(() -> {
            Chan<Boolean> c1 = Chan.make(), c2 = Chan.make(), c3 = Chan.make();
            Gort.go(c1::recv);
            Gort.go(() -> {
                Select.select(Select.recv(c1, v -> {
                    throw new AssertionError("dummy");
                }), Select.recv(c2, v -> c3.send(true)));
                c1.recv();
            });
            Gort.go(() -> c2.send(true));
            c3.recv();
            c1.send(true);
            c1.send(true);
        });
    }

    /** test/chan/select7.go: every combination of plain and select sends and receives, blocking or not. */
    @Test
    void sendAndReceiveKindsCombine() {
        List<java.util.function.Consumer<Chan<Integer>>> recvs = List.of(
                Chan::recv,
                c -> Select.select(Select.recv(c, null)),
                c -> Select.select(Select.recv(c, null), Select.recv(Chan.<Integer>make(), null)));
        Gort.run(() -> {
            for (java.util.function.Consumer<Chan<Integer>> recv : recvs) {
                for (int send = 0; send < 3; send++) {
                    Chan<Integer> c = Chan.make();
                    Gort.go(() -> recv.accept(c));
                    Gort.gosched();
                    switch (send) {
                        case 0 -> c.send(1);
                        case 1 -> Select.select(Select.send(c, 1, null));
                        default -> Select.select(Select.send(c, 1, null), Select.send(Chan.make(), 1, null));
                    }
                }
            }
        });
    }
}
