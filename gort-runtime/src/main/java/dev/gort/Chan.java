package dev.gort;

import dev.gort.runtime.ChanRt;
import dev.gort.runtime.HChan;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A Go channel ({@code chan T}). Unbuffered channels hand values off directly; waiting
 * senders and receivers are served FIFO. Values may be null. Operations also work on
 * plain Java threads, which then block themselves: this is how a Java program hands work
 * to goroutines and takes results back. Blocking operations are not interruptible.
 *
 * @param <T> the element type
 */
public final class Chan<T> extends HChan implements Iterable<T> {
    /** The nil channel: one instance serves every element type (it never holds a value). */
    private static final Chan<?> NIL = new Chan<>(0, true);

    private Chan(int size, boolean isNil) {
        super(size, isNil);
    }

    /** {@code make(chan T)}: an unbuffered channel. */
    public static <T> Chan<T> make() {
        return new Chan<>(0, false);
    }

    /**
     * {@code make(chan T, size)}.
     *
     * @throws Panic "makechan: size out of range" if size is negative or larger than the
     *     largest Java array ({@code Integer.MAX_VALUE - 8})
     * @throws OutOfMemoryError if the heap cannot hold the buffer
     */
    public static <T> Chan<T> make(int size) {
        return new Chan<>(size, false);
    }

    /**
     * The nil channel, Go's {@code var c chan T}: {@link #send} and {@link #recv} block
     * forever (wait reasons {@code chan send (nil chan)} and {@code chan receive (nil chan)}),
     * {@link #trySend} and {@link #tryRecv} never succeed, {@link #close} panics
     * {@code close of nil channel}, a select case on it is never ready, and {@code len} and
     * {@code cap} are 0. Handy to switch a select case off, as Go code does.
     */
    @SuppressWarnings("unchecked")
    public static <T> Chan<T> nil() {
        return (Chan<T>) NIL;
    }

    /**
     * {@code ch <- v}: blocks until a receiver takes v or the buffer has room.
     *
     * @throws Panic "send on closed channel"
     */
    public void send(T v) {
        ChanRt.chansend(this, v, true);
    }

    /** {@code <-ch}: blocks until a value arrives; null once the channel is closed and drained. */
    @SuppressWarnings("unchecked")
    public T recv() {
        Object r = ChanRt.chanrecv(this, true);
        return r == ChanRt.CLOSED ? null : (T) r;
    }

    /** {@code v, ok := <-ch}: ok is false once the channel is closed and drained. */
    @SuppressWarnings("unchecked")
    public Recv<T> recvOk() {
        Object r = ChanRt.chanrecv(this, true);
        return r == ChanRt.CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * {@code select { case ch <- v: ...; default: }}: sends only if it would not block.
     *
     * @return whether v was sent
     * @throws Panic "send on closed channel"
     */
    public boolean trySend(T v) {
        return ChanRt.chansend(this, v, false);
    }

    /** A non-blocking receive: null when it would block, else the result of {@link #recvOk()}. */
    @SuppressWarnings("unchecked")
    public Recv<T> tryRecv() {
        Object r = ChanRt.chanrecv(this, false);
        if (r == ChanRt.WOULD_BLOCK) {
            return null;
        }
        return r == ChanRt.CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * {@code close(ch)}: receivers get the buffered values, then null (ok=false); blocked
     * senders panic.
     *
     * @throws Panic "close of closed channel", or "close of nil channel" on {@link #nil()}
     */
    public void close() {
        ChanRt.closechan(this);
    }

    /** {@code len(ch)}: values buffered now. */
    public int len() {
        return ChanRt.chanlen(this);
    }

    /** {@code cap(ch)}. */
    public int cap() {
        return ChanRt.chancap(this);
    }

    /**
     * {@code for v := range ch}: {@code hasNext()} blocks until a value arrives or the
     * channel is closed and drained; {@code next()} after that throws
     * {@link NoSuchElementException}.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private Recv<T> pending;

            @Override
            public boolean hasNext() {
                if (pending == null) {
                    pending = recvOk();
                }
                return pending.ok();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed");
                }
                T v = pending.value();
                pending = null;
                return v;
            }
        };
    }
}
