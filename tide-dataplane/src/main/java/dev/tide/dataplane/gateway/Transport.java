package dev.tide.dataplane.gateway;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport the data plane's event loops run: Linux's native epoll where its library loads, Java's NIO
 * elsewhere. The launcher makes the loops with {@link #best()}; the ingress and its replica connections take the
 * channel classes that match the loops they are given.
 */
public enum Transport {
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class),
    NIO(NioServerSocketChannel.class, NioSocketChannel.class);

    private final Class<? extends ServerSocketChannel> server;
    private final Class<? extends SocketChannel> client;

    Transport(Class<? extends ServerSocketChannel> server, Class<? extends SocketChannel> client) {
        this.server = server;
        this.client = client;
    }

    /** Epoll when this machine has it, else NIO. */
    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** The transport of loops made with {@link #ioHandlers()}. */
    static Transport of(EventLoopGroup loops) {
        return loops instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class) ? EPOLL : NIO;
    }

    /** What event loops of this transport are made with. */
    public IoHandlerFactory ioHandlers() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends ServerSocketChannel> serverChannel() {
        return server;
    }

    Class<? extends SocketChannel> clientChannel() {
        return client;
    }
}
