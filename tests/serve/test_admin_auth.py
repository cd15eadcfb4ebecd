"""The admin interceptor on a real grpc.aio server: Admin calls need the token, other services never see it."""

from __future__ import annotations

import grpc
import pytest

from loraloop.serve.admin_auth import ADMIN_SERVICE, AdminAuthInterceptor
from loraloop.v1 import loraloop_pb2 as pb
from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

TOKEN = "s3cret-token"


class _Admin(pb_grpc.AdminServicer):
    def __init__(self):
        self.calls = 0

    async def ReloadRouter(self, request, context):
        self.calls += 1
        return pb.ReloadRouterResponse(domains=["medical"], path="/r")


class _Chat(pb_grpc.ChatServicer):
    async def ListAdapters(self, request, context):
        return pb.ListAdaptersResponse(base_quantization="none")


@pytest.fixture
async def server():
    admin = _Admin()
    srv = grpc.aio.server(interceptors=[AdminAuthInterceptor(TOKEN)])
    pb_grpc.add_AdminServicer_to_server(admin, srv)
    pb_grpc.add_ChatServicer_to_server(_Chat(), srv)
    port = srv.add_insecure_port("127.0.0.1:0")
    await srv.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield admin, pb_grpc.AdminStub(channel), pb_grpc.ChatStub(channel)
    await srv.stop(None)


@pytest.mark.parametrize("metadata, message", [
    ((), "admin calls need 'authorization: Bearer <token>' metadata"),
    ((("authorization", f"Basic {TOKEN}"),), "admin calls need 'authorization: Bearer <token>' metadata"),
    ((("authorization", "Bearer "),), "admin calls need 'authorization: Bearer <token>' metadata"),
    ((("authorization", "Bearer wrong"),), "admin token rejected"),
])
async def test_admin_calls_without_the_token_never_reach_the_handler(server, metadata, message):
    admin, stub, _chat = server
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.ReloadRouter(pb.ReloadRouterRequest(), metadata=metadata)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details() == message
    assert admin.calls == 0


async def test_the_token_lets_an_admin_call_through_and_chat_needs_none(server):
    admin, stub, chat = server
    reply = await stub.ReloadRouter(pb.ReloadRouterRequest(), metadata=(("authorization", f"bearer {TOKEN}"),))
    assert list(reply.domains) == ["medical"] and admin.calls == 1
    assert (await chat.ListAdapters(pb.ListAdaptersRequest())).base_quantization == "none"


def test_every_admin_rpc_is_unary_so_the_refusal_handler_fits_it():
    methods = pb.DESCRIPTOR.services_by_name["Admin"].methods
    assert ADMIN_SERVICE == "loraloop.v1.Admin" and methods
    streaming = [m.name for m in methods if m.client_streaming or m.server_streaming]
    assert not streaming, f"AdminAuthInterceptor answers refusals with a unary handler; streaming: {streaming}"


def test_an_empty_token_is_refused_at_construction():
    with pytest.raises(ValueError, match="admin token"):
        AdminAuthInterceptor("")


async def test_undecodable_request_bytes_get_invalid_argument_naming_the_method():
    from loraloop.serve.decode_errors import DecodeErrorInterceptor

    srv = grpc.aio.server(interceptors=[AdminAuthInterceptor(TOKEN), DecodeErrorInterceptor()])
    pb_grpc.add_AdminServicer_to_server(_Admin(), srv)
    pb_grpc.add_ChatServicer_to_server(_Chat(), srv)
    port = srv.add_insecure_port("127.0.0.1:0")
    await srv.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            raw = channel.unary_unary("/loraloop.v1.Chat/ListAdapters")  # no serializer: the bytes go as they are
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await raw(b"\xff\xff\xff\xff garbage")
            assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "/loraloop.v1.Chat/ListAdapters" in info.value.details()
            ok = channel.unary_unary("/loraloop.v1.Chat/ListAdapters",
                                     response_deserializer=pb.ListAdaptersResponse.FromString)
            assert (await ok(pb.ListAdaptersRequest().SerializeToString())).base_quantization == "none"
    finally:
        await srv.stop(None)
