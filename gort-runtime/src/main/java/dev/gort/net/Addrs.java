package dev.gort.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;

/**
 * Networks and addresses: Go's net.SplitHostPort, JoinHostPort, parseNetwork and the
 * String forms of TCPAddr and UnixAddr (ipsock.go, net.go, tcpsock.go, unixsock.go).
 * Bad input is an IllegalArgumentException naming it.
 */
final class Addrs {
    private Addrs() {}

    /** The networks: Go's tcp, tcp4, tcp6, unix. */
    static void checkNetwork(String network) {
        if (network == null) {
            throw new IllegalArgumentException("unknown network null");
        }
        switch (network) {
            case "tcp", "tcp4", "tcp6", "unix" -> { }
            default -> throw new IllegalArgumentException("unknown network " + network);
        }
    }

    static boolean isUnix(String network) {
        return network.equals("unix");
    }

    /** The protocol family for a resolved address. */
    static ProtocolFamily family(SocketAddress a) {
        if (a instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        InetAddress ip = ((InetSocketAddress) a).getAddress();
        return ip instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /**
     * Resolve address for network. listen: an empty host means every interface (Go's
     * wildcard), else the local host is meant (Go dials the local system for an empty host).
     */
    static SocketAddress resolve(String network, String address, boolean listen) {
        checkNetwork(network);
        if (address == null) {
            throw new IllegalArgumentException("missing address");
        }
        if (isUnix(network)) {
            if (address.isEmpty()) {
                throw new IllegalArgumentException("missing address for network unix");
            }
            return UnixDomainSocketAddress.of(address);
        }
        String[] hp = splitHostPort(address);
        String host = hp[0];
        int port = parsePort(hp[1], address);
        InetAddress ip;
        try {
            if (host.isEmpty()) {
                if (listen) {
                    ip = network.equals("tcp4") ? InetAddress.getByName("0.0.0.0")
                            : network.equals("tcp6") ? InetAddress.getByName("::") : null;
                    return ip == null ? new InetSocketAddress(port) : new InetSocketAddress(ip, port);
                }
                ip = network.equals("tcp6") ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
            } else {
                ip = pick(network, InetAddress.getAllByName(host), address);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in address " + address + ": " + host);
        }
        return new InetSocketAddress(ip, port);
    }

    private static InetAddress pick(String network, InetAddress[] ips, String address) {
        for (InetAddress ip : ips) {
            if (network.equals("tcp4") && !(ip instanceof Inet4Address)) {
                continue;
            }
            if (network.equals("tcp6") && !(ip instanceof Inet6Address)) {
                continue;
            }
            return ip;
        }
        throw new IllegalArgumentException("no suitable address for network " + network + " in address " + address);
    }

    /** Go's SplitHostPort: "host:port", "[ipv6]:port". */
    static String[] splitHostPort(String hostport) {
        int i = hostport.lastIndexOf(':');
        if (i < 0) {
            throw new IllegalArgumentException("address " + hostport + ": missing port in address");
        }
        String host;
        if (hostport.startsWith("[")) {
            int end = hostport.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("address " + hostport + ": missing ']' in address");
            }
            if (end + 1 != i) {
                throw new IllegalArgumentException("address " + hostport + ": unexpected ']' in address");
            }
            host = hostport.substring(1, end);
        } else {
            host = hostport.substring(0, i);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("address " + hostport + ": too many colons in address");
            }
        }
        return new String[] {host, hostport.substring(i + 1)};
    }

    private static int parsePort(String p, String address) {
        if (p.isEmpty()) {
            throw new IllegalArgumentException("address " + address + ": missing port");
        }
        int port = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < '0' || c > '9' || port > 65535) {
                throw new IllegalArgumentException("address " + address + ": invalid port " + p);
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535) {
            throw new IllegalArgumentException("address " + address + ": invalid port " + p);
        }
        return port;
    }

    /** Go's TCPAddr.String and UnixAddr.String. */
    static String toString(SocketAddress a) {
        if (a == null) {
            return "";
        }
        if (a instanceof UnixDomainSocketAddress u) {
            return u.getPath().toString();
        }
        InetSocketAddress s = (InetSocketAddress) a;
        InetAddress ip = s.getAddress();
        String host = ip == null ? s.getHostString() : ipString(ip);
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + s.getPort() : host + ":" + s.getPort();
    }

    /** Go's IP.String: IPv6 in RFC 5952 form (the longest run of zero groups as ::), an IPv4-mapped address as IPv4. */
    static String ipString(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        byte[] b = ip.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // The longest run of zeros (at least two groups), first one on ties.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
