package dev.tide.dataplane.gateway;

import java.net.InetSocketAddress;

/**
 * A replica's IPv4 address and port packed in one {@code long}: the address in bits 16..47, the port in bits 0..15.
 * The gateway's per-loop pools key connections by it, so picking and releasing a connection boxes nothing, and a
 * local process (127.0.0.1) and a pod (its IP) are alike to the data plane. Worked example: 127.0.0.1:8080 is
 * 0x7F000001 << 16 | 0x1F90 = 0x7F0000011F90.
 */
final class ReplicaAddress {

    private ReplicaAddress() {
    }

    /** @throws IllegalArgumentException for a host that is not a dotted IPv4 address, or a port outside 1..65535 */
    static long of(String ipv4, int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + ": expected 1..65535");
        }
        String[] parts = ipv4.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("host " + ipv4 + ": expected an IPv4 address such as 10.0.0.7");
        }
        long ip = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("host " + ipv4 + ": expected an IPv4 address such as 10.0.0.7", e);
            }
            if (octet < 0 || octet > 255 || p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("host " + ipv4 + ": expected an IPv4 address such as 10.0.0.7");
            }
            ip = ip << 8 | octet;
        }
        return ip << 16 | port;
    }

    static int port(long address) {
        return (int) (address & 0xFFFF);
    }

    /** The dotted address: {@code 0x7F0000011F90} is {@code 127.0.0.1}. */
    static String host(long address) {
        long ip = address >>> 16;
        return (ip >>> 24 & 0xFF) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }

    /** For connecting: made only when a new connection is opened, from the address's bytes (no name lookup). */
    static InetSocketAddress socket(long address) {
        long ip = address >>> 16;
        byte[] bytes = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(bytes), port(address));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
