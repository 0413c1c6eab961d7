package dev.gort.runtime;

import dev.gort.Panic;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A channel's state: Go's {@code hchan} (chan.go): a circular buffer of {@code dataqsiz}
 * slots, the queues of waiting senders and receivers (sudogs, FIFO), the closed flag and
 * the lock. {@code dev.gort.Chan} extends it, so a channel is one object (plus its
 * buffer). The operations are in {@link Chans} and {@link Selects}.
 *
 * <h2>Locking</h2>
 * {@link #lock()} ({@link SpinLock}) protects every field and the fields of the sudogs
 * queued here. A goroutine parks holding it and its M releases it right after the
 * goroutine's continuation has been unmounted (park_m).
 *
 * <p>{@code qcount}, {@code closed} and the queue heads are also read without the lock by
 * the non-blocking fast paths (Go's {@code full} and {@code empty}); those reads are
 * acquire loads and the writes under the lock are release stores, so a fast path sees a
 * consistent value from some moment between two critical sections.
 *
 * <p>Differences from Go: the lock order of select is by a unique id drawn lazily the first
 * time the channel takes part in a multi-channel select (Go sorts by address, which the
 * JVM does not expose stably).
 */
public abstract class HChan extends SpinLock {
    private static final VarHandle QCOUNT;
    private static final VarHandle CLOSED;
    private static final VarHandle RECVQ_FIRST;
    private static final VarHandle SENDQ_FIRST;
    private static final VarHandle SORTKEY;
    private static final AtomicLong sortkeys = new AtomicLong();

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            QCOUNT = l.findVarHandle(HChan.class, "qcount", int.class);
            CLOSED = l.findVarHandle(HChan.class, "closed", int.class);
            RECVQ_FIRST = l.findVarHandle(HChan.class, "recvqFirst", Sudog.class);
            SENDQ_FIRST = l.findVarHandle(HChan.class, "sendqFirst", Sudog.class);
            SORTKEY = l.findVarHandle(HChan.class, "sortkey", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Go's c.timer: the timer feeding this channel (Time.after, Timer, Ticker), or null. Set before first use. */
    RuntimeTimer timer;
    /** Size of the circular queue (immutable). */
    final int dataqsiz;
    /** The circular queue; null for an unbuffered channel. */
    final Object[] buf;
    /** Elements in the queue. lock; racy readers use {@link #qcountAcquire()}. */
    int qcount;
    int sendx;
    int recvx;
    /** 1 once closed. lock; racy readers use {@link #isClosedAcquire()}. */
    int closed;
    Sudog recvqFirst;
    Sudog recvqLast;
    Sudog sendqFirst;
    Sudog sendqLast;
    @SuppressWarnings("unused") // through SORTKEY
    private long sortkey;

    /**
     * Go's maxAlloc for a channel's buffer: the largest array the JVM allocates (HotSpot
     * refuses lengths within a few words of Integer.MAX_VALUE whatever the heap size, the
     * JDK's own ArraysSupport.SOFT_MAX_ARRAY_LENGTH).
     */
    static final int MAX_ALLOC = Integer.MAX_VALUE - 8;

    /**
     * Whether this is the nil channel ({@code Chan.nil()}, Go's {@code var c chan T}): its
     * sends and receives block forever, it is never ready in a select, and closing it
     * panics. Immutable.
     */
    final boolean isNil;

    /**
     * Go's c.bubble, generalized: the synctest bubble whose goroutine made this channel
     * (any other goroutine's operation on it is Go's fatal error), else the controlled run
     * (dev.gort.explore) whose goroutine made it (anyone else's operation is uncontrolled
     * concurrency, {@link Controlled#checkUse}), else null. Every operation tests it
     * ({@link ChanAssoc}). Immutable.
     */
    final ChanAssoc assoc;

    /**
     * Go's makechan: a buffer larger than any array can be panics as Go's does past
     * maxAlloc; one the heap cannot hold is an OutOfMemoryError (Go: "out of memory").
     */
    protected HChan(int size, boolean isNil) {
        if (size < 0 || size > MAX_ALLOC) {
            throw new Panic("makechan: size out of range");
        }
        this.dataqsiz = size;
        this.buf = size > 0 ? new Object[size] : null;
        this.isNil = isNil;
        this.assoc = isNil ? null : assoc();
    }

    /**
     * The maker's association (Go's makechan: {@code c.bubble = getg().bubble}): its
     * bubble ({@link SynctestBubble#current}: one plain static read while no bubble
     * exists), else its controlled run ({@link Controlled#currentRun}: a read of the thread).
     */
    private static ChanAssoc assoc() {
        SynctestBubble b = SynctestBubble.current();
        if (b != null) {
            return b;
        }
        return Controlled.currentRun();
    }

    // ---- racy reads for the fast paths, and the writes they pair with ----

    final int qcountAcquire() {
        return (int) QCOUNT.getAcquire(this);
    }

    final void setQcount(int n) {
        QCOUNT.setRelease(this, n);
    }

    final boolean isClosedAcquire() {
        return (int) CLOSED.getAcquire(this) != 0;
    }

    final void setClosed() {
        CLOSED.setRelease(this, 1);
    }

    /** Go's full: a send would block (racy). */
    final boolean full() {
        if (dataqsiz == 0) {
            return RECVQ_FIRST.getAcquire(this) == null;
        }
        return qcountAcquire() == dataqsiz;
    }

    /** Go's empty: a receive would block (racy). */
    final boolean empty() {
        if (dataqsiz == 0) {
            return SENDQ_FIRST.getAcquire(this) == null;
        }
        // c.timer is immutable (set before any channel operation). All timer channels have
        // dataqsiz > 0.
        if (timer != null) {
            timer.maybeRunChan();
        }
        return qcountAcquire() == 0;
    }

    /** The select lock order key: unique, drawn on first use. */
    final long sortkey() {
        long k = (long) SORTKEY.getOpaque(this);
        if (k == 0) {
            long n = sortkeys.incrementAndGet();
            k = SORTKEY.compareAndSet(this, 0L, n) ? n : (long) SORTKEY.getOpaque(this);
        }
        return k;
    }

    // ---- wait queues (Go's waitq: enqueue, dequeue, dequeueSudoG), recvq or sendq ----

    private Sudog first(boolean recvq) {
        return recvq ? recvqFirst : sendqFirst;
    }

    private Sudog last(boolean recvq) {
        return recvq ? recvqLast : sendqLast;
    }

    private void setFirst(boolean recvq, Sudog s) {
        if (recvq) {
            RECVQ_FIRST.setRelease(this, s);
        } else {
            SENDQ_FIRST.setRelease(this, s);
        }
    }

    private void setLast(boolean recvq, Sudog s) {
        if (recvq) {
            recvqLast = s;
        } else {
            sendqLast = s;
        }
    }

    /** Go's waitq.enqueue: sgp at the tail. lock held. */
    final void enqueue(boolean recvq, Sudog sgp) {
        sgp.next = null;
        Sudog x = last(recvq);
        if (x == null) {
            sgp.prev = null;
            setFirst(recvq, sgp);
            setLast(recvq, sgp);
            return;
        }
        sgp.prev = x;
        x.next = sgp;
        setLast(recvq, sgp);
    }

    /**
     * Go's waitq.dequeue: the first waiter, skipping select waiters already won by another
     * case (their G's selectDone is set; they remove themselves when they run). lock held.
     */
    final Sudog dequeue(boolean recvq) {
        for (;;) {
            Sudog sgp = first(recvq);
            if (sgp == null) {
                return null;
            }
            Sudog y = sgp.next;
            if (y == null) {
                setFirst(recvq, null);
                setLast(recvq, null);
            } else {
                y.prev = null;
                setFirst(recvq, y);
                sgp.next = null; // mark as removed (see dequeueSudoG)
            }
            // If a goroutine was put on this queue because of a select, there is a small
            // window between the goroutine being woken up by a different case and it
            // grabbing the channel locks. selectDone tells us someone else won the race.
            if (sgp.isSelect && !sgp.g.casSelectDone()) {
                continue;
            }
            return sgp;
        }
    }

    /** Go's waitq.dequeueSudoG: remove sgp wherever it is (a losing select case). lock held. */
    final void dequeueSudoG(boolean recvq, Sudog sgp) {
        Sudog x = sgp.prev;
        Sudog y = sgp.next;
        if (x != null) {
            if (y != null) {
                // middle of queue
                x.next = y;
                y.prev = x;
                sgp.next = null;
                sgp.prev = null;
                return;
            }
            // end of queue
            x.next = null;
            setLast(recvq, x);
            sgp.prev = null;
            return;
        }
        if (y != null) {
            // start of queue
            y.prev = null;
            setFirst(recvq, y);
            sgp.next = null;
            return;
        }
        // x==y==nil. Either sgp is the only element in the queue, or it has already been
        // removed. Use q.first to disambiguate.
        if (first(recvq) == sgp) {
            setFirst(recvq, null);
            setLast(recvq, null);
        }
    }
}
