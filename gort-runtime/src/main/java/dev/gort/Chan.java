package dev.gort;

import dev.gort.runtime.Chans;
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
    private Chan(int size) {
        super(size);
    }

    /** {@code make(chan T)}: an unbuffered channel. */
    public static <T> Chan<T> make() {
        return new Chan<>(0);
    }

    /**
     * {@code make(chan T, size)}.
     *
     * @throws Panic "makechan: size out of range" if size is negative
     */
    public static <T> Chan<T> make(int size) {
        return new Chan<>(size);
    }

    /**
     * {@code ch <- v}: blocks until a receiver takes v or the buffer has room.
     *
     * @throws Panic "send on closed channel"
     */
    public void send(T v) {
        Chans.chansend(this, v, true);
    }

    /** {@code <-ch}: blocks until a value arrives; null once the channel is closed and drained. */
    @SuppressWarnings("unchecked")
    public T recv() {
        Object r = Chans.chanrecv(this, true);
        return r == Chans.CLOSED ? null : (T) r;
    }

    /** {@code v, ok := <-ch}: ok is false once the channel is closed and drained. */
    @SuppressWarnings("unchecked")
    public Recv<T> recvOk() {
        Object r = Chans.chanrecv(this, true);
        return r == Chans.CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * {@code select { case ch <- v: ...; default: }}: sends only if it would not block.
     *
     * @return whether v was sent
     * @throws Panic "send on closed channel"
     */
    public boolean trySend(T v) {
        return Chans.chansend(this, v, false);
    }

    /** A non-blocking receive: null when it would block, else the result of {@link #recvOk()}. */
    @SuppressWarnings("unchecked")
    public Recv<T> tryRecv() {
        Object r = Chans.chanrecv(this, false);
        if (r == Chans.WOULD_BLOCK) {
            return null;
        }
        return r == Chans.CLOSED ? new Recv<>(null, false) : new Recv<>((T) r, true);
    }

    /**
     * {@code close(ch)}: receivers get the buffered values, then null (ok=false); blocked
     * senders panic.
     *
     * @throws Panic "close of closed channel"
     */
    public void close() {
        Chans.closechan(this);
    }

    /** {@code len(ch)}: values buffered now. */
    public int len() {
        return Chans.chanlen(this);
    }

    /** {@code cap(ch)}. */
    public int cap() {
        return Chans.chancap(this);
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
