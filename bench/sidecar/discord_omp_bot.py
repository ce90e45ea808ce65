#!/usr/bin/env python3
"""The seeds' Tier 3 sidecar, for the benchmark: a discord.py bot with an aiohttp HTTP API on
127.0.0.1 (POST /notify -> channel.send, GET /status), and inbound messages forwarded to the JS
process by one HTTP POST each over a kept-alive connection (the cheapest honest way back).
Pointed at the bundled Discord-compatible server instead of discord.com."""
import asyncio
import json
import os
import sys

import aiohttp
import discord
import yarl
from aiohttp import web
from discord.ext import commands

API = os.environ["DISCORD_API_BASE_URL"]
discord.http.Route.BASE = f"{API}/api/v10"
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
FORWARD_URL = os.environ["FORWARD_URL"]

intents = discord.Intents.default()
intents.message_content = True
bot = commands.Bot(command_prefix="!", intents=intents)
ready = asyncio.Event()
forward: aiohttp.ClientSession | None = None


@bot.event
async def on_ready():
    ready.set()


@bot.event
async def on_message(message: discord.Message):
    await forward.post(FORWARD_URL, json={"content": message.content, "bot": message.author.bot})


async def handle_notify(req: web.Request) -> web.Response:
    data = await req.json()
    ch = bot.get_channel(int(data["channel_id"]))
    if not ch:
        return web.json_response({"error": "channel not found"}, status=404)
    await ch.send(data.get("content"))
    return web.json_response({"ok": True})


async def handle_status(_: web.Request) -> web.Response:
    return web.json_response({"bot": str(bot.user), "guilds": len(bot.guilds), "latency_ms": round(bot.latency * 1000, 1), "ready": bot.is_ready()})


async def main():
    global forward
    forward = aiohttp.ClientSession()
    app = web.Application()
    app.router.add_post("/notify", handle_notify)
    app.router.add_get("/status", handle_status)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    async with bot:
        task = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
        await ready.wait()
        print(json.dumps({"port": port}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until stdin closes
        task.cancel()
    await forward.close()


asyncio.run(main())
