/**
 * Go's package net on gort's network poller: {@link dev.gort.net.Net#listen},
 * {@link dev.gort.net.Net#dial}, {@link dev.gort.net.Listener}, {@link dev.gort.net.Conn}.
 * A goroutine blocked in accept, read, write or dial parks (wait reason {@code IO wait})
 * and its M runs other goroutines; a plain thread blocks.
 */
package dev.gort.net;
