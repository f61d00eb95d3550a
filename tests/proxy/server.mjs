// The discord.js REST proxy (@discordjs/proxy over @discordjs/rest), as
// tests/discord_proxy.rs runs it in front of the fake Discord: one shared
// rate limiter for every faqbot process whose `[discord] api_base_url`
// points here.
//
//   node tests/proxy/server.mjs [PORT] [UPSTREAM]
//
// PORT (else $PROXY_PORT, else 0: any free port) is where it listens, on
// 127.0.0.1 unless $PROXY_HOST says otherwise; UPSTREAM (else $DISCORD_API,
// else https://discord.com) is the Discord to forward to, without /api: a
// request for /api/v10/channels/1/messages goes to
// UPSTREAM/api/v10/channels/1/messages. It prints one line,
// "listening on http://HOST:PORT upstream UPSTREAM/api", once it accepts
// connections. It exits when its standard input closes (the test that
// started it is gone) or on SIGINT/SIGTERM.
//
// The proxy forwards each request's own Authorization header (the bot's
// token), so it holds no token itself. Unlike discord.js's proxy-container
// (`rejectOnRateLimit: () => true`, leaving retries to discord.js clients),
// it waits out a bucket instead of answering 429: faqbot's HTTP client has
// its own rate limiter off behind a proxy and does not retry a 429, so a
// 429 would be a lost reply. `retries: 0` as there: a 5xx or a network
// error goes back to the bot as it came.

import { createServer } from 'node:http';
import process from 'node:process';
import { proxyRequests } from '@discordjs/proxy';
import { REST } from '@discordjs/rest';

const [portArgument, upstreamArgument] = process.argv.slice(2);
const port = Number.parseInt(portArgument ?? process.env.PROXY_PORT ?? '0', 10);
const host = process.env.PROXY_HOST ?? '127.0.0.1';
const upstream = (upstreamArgument ?? process.env.DISCORD_API ?? 'https://discord.com').replace(/\/+$/, '');

const rest = new REST({ api: `${upstream}/api`, retries: 0 });
let waits = 0;
rest.on('rateLimited', () => {
	waits += 1;
});
if (process.env.PROXY_DEBUG) {
	rest.on('restDebug', (message) => console.error(message));
}

// proxyRequests hands the incoming request itself to @discordjs/rest as the
// body, which reads it on each attempt: after a 429 from Discord the request
// went again with an empty body (a lost reply; seen in
// tests/discord_proxy.rs with a proxy per process). So the body is read
// first and given as something read anew on every attempt.
const handle = proxyRequests(rest);
const server = createServer(async (request, response) => {
	try {
		const chunks = [];
		for await (const chunk of request) {
			chunks.push(chunk);
		}
		const body = Buffer.concat(chunks);
		const replayable = {
			method: request.method,
			url: request.url,
			headers: request.headers,
			*[Symbol.iterator]() {
				yield body;
			},
		};
		await handle(replayable, response);
	} catch (error) {
		console.error(`proxy: ${error}`);
		if (!response.headersSent) {
			response.statusCode = 502;
		}
		response.end();
	}
});

function stop() {
	console.error(`proxy: stopping; waited out a rate limit ${waits} times`);
	process.exit(0);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

server.listen(port, host, () => {
	const { port: bound } = server.address();
	console.log(`listening on http://${host}:${bound} upstream ${upstream}/api`);
});
