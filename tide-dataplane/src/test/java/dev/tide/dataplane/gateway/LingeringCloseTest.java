package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real loopback connection (a reset is the kernel's doing, so an embedded channel cannot show it): a server that
 * answers before reading what the client sent, then closes.
 */
class LingeringCloseTest {

    private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, Transport.best().ioHandlers());

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void anAnswerGivenBeforeTheRequestWasReadReachesTheClientAndTheConnectionEndsWhenTheClientCloses() throws Exception {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(loops).channel(Transport.of(loops).serverChannel())
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release(); // the first bytes only; the rest stays unread in the socket
                        ctx.channel().config().setAutoRead(false);
                        ctx.write(Unpooled.copiedBuffer("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n",
                                StandardCharsets.US_ASCII));
                        LingeringClose.close(ctx.channel());
                        ctx.channel().closeFuture().addListener(f -> closed.complete(null));
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try (Socket s = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
            s.setSoTimeout(10_000);
            byte[] head = ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(200_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(head);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).as("read to the server's FIN, no reset").startsWith("HTTP/1.1 431 ");
            assertThat(closed).as("the server waits for the client").isNotDone();
        }
        closed.get(5, TimeUnit.SECONDS);
        server.close().sync();
    }
}
