package dev.gort.runtime;

/**
 * Go's {@code gQueue}: a deque of Gs linked through {@code g.schedlink}. A G is on at most
 * one gQueue or gList at a time. Not thread-safe: its owner's lock protects it (the
 * global run queue is under {@code sched.lock}).
 */
final class GQueue {
    G head;
    G tail;
    int size;

    boolean empty() {
        return head == null;
    }

    /** Adds gp to the head. */
    void push(G gp) {
        gp.schedlink = head;
        head = gp;
        if (tail == null) {
            tail = gp;
        }
        size++;
    }

    /** Adds gp to the tail. */
    void pushBack(G gp) {
        gp.schedlink = null;
        if (tail != null) {
            tail.schedlink = gp;
        } else {
            head = gp;
        }
        tail = gp;
        size++;
    }

    /** Adds all Gs of q2 to the tail; q2 must not be used afterwards. */
    void pushBackAll(GQueue q2) {
        if (q2.tail == null) {
            return;
        }
        q2.tail.schedlink = null;
        if (tail != null) {
            tail.schedlink = q2.head;
        } else {
            head = q2.head;
        }
        tail = q2.tail;
        size += q2.size;
    }

    /** Removes and returns the head, or null. */
    G pop() {
        G gp = head;
        if (gp != null) {
            head = gp.schedlink;
            if (head == null) {
                tail = null;
            }
            gp.schedlink = null;
            size--;
        }
        return gp;
    }

    void clear() {
        head = tail = null;
        size = 0;
    }
}
