#!/usr/bin/env node
/*
 * smsc_node.js: an SMSC (SMPP 3.4 server) built on the npm package "smpp",
 * for interoperability tests of muni: code nobody on muni wrote decides how
 * the PDUs look. It checks binds, logs every submit_sm, sends delivery
 * receipts, sends enquire_link of its own, and injects MO SMS and USSD on a
 * control socket that speaks muni-smscsim's line protocol. See README.
 *
 * usage: node smsc_node.js [-v] [-a addr] [-p port] [-u system_id]
 *        [-w password] [-o events.log] [-C control.sock] [-r receipt_ms]
 *        [-e enquire_s] [-s receipt_stat]
 */
'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');

// The package is installed by `npm ci` into build/npm (NODE_PATH works too).
module.paths.push(path.join(__dirname, '..', '..', '..', 'build', 'npm',
    'node_modules'));
const smpp = require('smpp');

// The library turns short_message and message_payload into JS strings on
// decode (lossily: unknown GSM octets become spaces) and guesses a
// data_coding on encode. An SMSC must log and send exact octets, so this
// peer handles both as Buffers and decodes text itself.
delete smpp.commands.submit_sm.params.short_message.filter;
delete smpp.tlvs.message_payload.filter;

const conf = {
	addr: '127.0.0.1', port: 2775, system_id: 'muni', password: 'secret',
	log: null, ctl: null, receipt_ms: 100, enquire_s: 30, stat: 'DELIVRD',
	verbose: false,
};
const STATES = { DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5,
    ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };

function usage(code) {
	(code ? process.stderr : process.stdout).write(
	    'usage: smsc_node.js [-v] [-a addr] [-p port] [-u system_id] ' +
	    '[-w password]\n\t[-o events.log] [-C control.sock] ' +
	    '[-r receipt_ms] [-e enquire_s] [-s receipt_stat]\n' +
	    'port 0 picks a free port; it is printed as port=N.\n');
	process.exit(code);
}

const flags = { '-a': 'addr', '-p': 'port', '-u': 'system_id',
    '-w': 'password', '-o': 'log', '-C': 'ctl', '-r': 'receipt_ms',
    '-e': 'enquire_s', '-s': 'stat' };
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '-h')
		usage(0);
	else if (a === '-v')
		conf.verbose = true;
	else if (flags[a] && i + 1 < process.argv.length)
		conf[flags[a]] = process.argv[++i];
	else
		usage(1);
}
// Whole numbers; enquire_s may have a fraction (tests use 0.2).
for (const k of ['port', 'receipt_ms', 'enquire_s'])
	if (!(k === 'enquire_s' ? /^\d+(\.\d+)?$/ : /^\d+$/)
	    .test(String(conf[k])))
		usage(1);
	else
		conf[k] = Number(conf[k]);
if (!(conf.stat in STATES))
	usage(1);

function debug(msg) {
	if (conf.verbose)
		process.stderr.write('smsc_node: ' + msg + '\n');
}

// One line per event, written at once so a test can grep right after.
function event(line) {
	debug(line);
	if (conf.log)
		fs.appendFileSync(conf.log, line + '\n');
}

const st = { binds: 0, bind_fail: 0, submits: 0, receipts: 0, mo: 0,
    ussd: 0, enquire_in: 0, enquire_out: 0, unbinds: 0 };
let nextId = 1;
const sessions = new Set();	// bound sessions
let pendingReceipts = [];	// receipts waiting for a receiver to bind
let stopping = false;		// SIGTERM seen: exit once all are closed

const hex = (b) => (b && b.length ? b.toString('hex') : '-');
const hex2 = (n) => '0x' + n.toString(16).padStart(2, '0');

// "+371…" international, short digits a short code, else alphanumeric:
// the same rule as muni's pdu_addr_set, so logs read the same.
function addr(s) {
	if (/^\+\d{1,15}$/.test(s))
		return { ton: 1, npi: 1, addr: s.slice(1) };
	if (/^\d{1,20}$/.test(s))
		return s.length <= 6 ? { ton: 3, npi: 0, addr: s } :
		    { ton: s.length <= 8 ? 2 : 1, npi: 1, addr: s };
	return { ton: 5, npi: 0, addr: s };
}
const showAddr = (ton, a) => (a === '' ? '-' :
    ton === 1 && a[0] !== '+' ? '+' + a : a);

// User data to a string for the log, with the library's own decoders.
function decodeText(dcs, ud) {
	if (dcs === 0)
		return smpp.encodings.ASCII.decode(ud);	// GSM 03.38 there
	if (dcs === 1)
		return ud.toString('ascii');
	if (dcs === 3)
		return smpp.encodings.LATIN1.decode(ud);
	if (dcs === 8)
		return smpp.encodings.UCS2.decode(ud);
	return '?';
}
const escape = (s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r').replace(/[\x00-\x1f]/g, '?');

// A receiver for a receipt or MO: the submitter if it can receive, else
// any bound receiver or transceiver.
function receiver(prefer) {
	if (prefer && sessions.has(prefer) && prefer.mode !== 'tx')
		return prefer;
	for (const s of sessions)
		if (s.mode !== 'tx')
			return s;
	return null;
}

// Send a deliver_sm and log its deliver_sm_resp status (the gateway's
// answer: 0, or e.g. 0x64 ESME_RX_T_APPN when it could not store it).
function deliver(s, params, what) {
	s.deliver_sm(params, (resp) => {
		event(what + ' resp=' + hex2(resp.command_status));
	});
}

function sendReceipt(r, prefer) {
	const s = receiver(prefer);
	if (!s) {
		pendingReceipts.push(r);
		return;
	}
	const ymd = (d) => d.toISOString().replace(/\D/g, '').slice(2, 12);
	const now = ymd(new Date());
	const ok = conf.stat === 'DELIVRD';
	// The SMPP 3.4 appendix B text, and the TLVs that say the same.
	const text = 'id:' + r.id + ' sub:001 dlvrd:' + (ok ? '001' : '000') +
	    ' submit date:' + r.date + ' done date:' + now + ' stat:' +
	    conf.stat + ' err:' + (ok ? '000' : '001') + ' text:' +
	    r.text.slice(0, 20).replace(/[^ -~]/g, '.');
	st.receipts++;
	deliver(s, {
		source_addr_ton: r.dst.ton, source_addr_npi: r.dst.npi,
		source_addr: r.dst.addr, dest_addr_ton: r.src.ton,
		dest_addr_npi: r.src.npi, destination_addr: r.src.addr,
		esm_class: 0x04, data_coding: 0,
		short_message: Buffer.from(text, 'ascii'),
		receipted_message_id: r.id,
		message_state: STATES[conf.stat],
	}, 'receipt id=' + r.id + ' stat=' + conf.stat);
}

// bind_*: check system_id and password; a wrong password gets
// ESME_RINVPASWD and the client may try again on the same connection.
function onBind(s, mode, pdu) {
	let status = 0;
	if (s.mode)
		status = smpp.ESME_RALYBND;
	else if (pdu.system_id !== conf.system_id)
		status = smpp.ESME_RINVSYSID;
	else if (pdu.password !== conf.password)
		status = smpp.ESME_RINVPASWD;
	// An error response goes out header-only: the library drops the body.
	s.send(pdu.response(status ? { command_status: status } :
	    { system_id: 'node-smsc' }));
	event('bind mode=' + mode + ' system_id=' + pdu.system_id +
	    ' status=' + hex2(status));
	if (status) {
		st.bind_fail++;
		return;
	}
	st.binds++;
	s.mode = mode;
	sessions.add(s);
	if (conf.enquire_s > 0)
		s.enquireTimer = setInterval(() => {
			st.enquire_out++;
			s.enquire_link({}, () => event('enquire_link_resp'));
		}, conf.enquire_s * 1000);
	if (mode !== 'tx') {
		const waiting = pendingReceipts;
		pendingReceipts = [];
		waiting.forEach((r) => sendReceipt(r, s));
	}
}

// submit_sm: answer with a message id, log the exact octets, and send a
// receipt after receipt_ms when the submit asked for one.
function onSubmit(s, pdu) {
	if (!s.mode || s.mode === 'rx') {
		s.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
		return;
	}
	const id = (nextId++).toString(16).padStart(8, '0');
	s.send(pdu.response({ message_id: id }));
	st.submits++;
	const sm = pdu.short_message || Buffer.alloc(0);	// cut short
	const payload = sm.length === 0 && Buffer.isBuffer(pdu.message_payload);
	const data = payload ? pdu.message_payload : sm;
	const ul = (pdu.esm_class & 0x40) && data.length &&
	    data[0] + 1 <= data.length ? data[0] + 1 : 0;
	const text = decodeText(pdu.data_coding, data.subarray(ul));
	event('submit seq=' + pdu.sequence_number + ' status=0x00 id=' + id +
	    ' src=' + showAddr(pdu.source_addr_ton, pdu.source_addr) +
	    ' dst=' + showAddr(pdu.dest_addr_ton, pdu.destination_addr) +
	    ' dcs=' + pdu.data_coding + ' esm=' + hex2(pdu.esm_class) +
	    ' reg=' + pdu.registered_delivery + ' svc=' +
	    (pdu.service_type || '-') + (payload ? ' payload=1' : '') +
	    ' udh=' + hex(data.subarray(0, ul)) + ' text_hex=' +
	    hex(data.subarray(ul)) + ' text=' + escape(text));
	if ((pdu.registered_delivery & 0x03) === 0)
		return;
	const r = {
		id, text, date: new Date().toISOString().replace(/\D/g, '')
		    .slice(2, 12),
		src: { ton: pdu.source_addr_ton, npi: pdu.source_addr_npi,
		    addr: pdu.source_addr },
		dst: { ton: pdu.dest_addr_ton, npi: pdu.dest_addr_npi,
		    addr: pdu.destination_addr },
	};
	setTimeout(() => sendReceipt(r, s), conf.receipt_ms);
}

const HANDLED = new Set(['bind_transceiver', 'bind_transmitter',
    'bind_receiver', 'submit_sm', 'enquire_link', 'unbind']);

const server = smpp.createServer((s) => {
	s.mode = null;
	debug('connection');
	s.on('bind_transceiver', (pdu) => onBind(s, 'trx', pdu));
	s.on('bind_transmitter', (pdu) => onBind(s, 'tx', pdu));
	s.on('bind_receiver', (pdu) => onBind(s, 'rx', pdu));
	s.on('submit_sm', (pdu) => onSubmit(s, pdu));
	// The library answers nothing by itself: not even enquire_link.
	s.on('enquire_link', (pdu) => {
		st.enquire_in++;
		event('enquire_link');
		s.send(pdu.response());
	});
	s.on('unbind', (pdu) => {
		st.unbinds++;
		event('unbind');
		sessions.delete(s);
		s.send(pdu.response(), () => s.close());
	});
	// Any other request (unknown command ids too): generic_nack
	// ESME_RINVCMDID, so a client never waits for an answer.
	s.on('pdu', (pdu) => {
		if (!pdu.isResponse() && !HANDLED.has(pdu.command))
			s.send(new smpp.PDU('generic_nack', {
				sequence_number: pdu.sequence_number,
				command_status: smpp.ESME_RINVCMDID }));
	});
	s.on('generic_nack', (pdu) => event('generic_nack status=' +
	    hex2(pdu.command_status)));
	s.on('error', (e) => {
		debug('session error: ' + e.message);
		s.destroy();
	});
	s.on('close', () => {
		clearInterval(s.enquireTimer);
		sessions.delete(s);
		debug('closed');
		if (stopping && sessions.size === 0)
			process.exit(0);
	});
});

/*
 * MO injection. GSM 03.38 (data_coding 0, one septet an octet) when the
 * text fits, else UCS-2 (data_coding 8); -u forces UCS-2, -p carries the
 * text in message_payload with an empty short_message.
 */
const ussdCode = new Map();	// number → the service code it dialled

function userData(text, ucs2) {
	if (!ucs2 && smpp.encodings.ASCII.match(text))
		return { dcs: 0, ud: smpp.gsmCoder.encode(text, 0) };
	return { dcs: 8, ud: smpp.encodings.UCS2.encode(text) };
}

function cmdMo(l) {
	let ucs2 = false, payload = false, w;
	while ((w = word(l)) !== null && w[0] === '-') {
		if (w === '-u')
			ucs2 = true;
		else if (w === '-p')
			payload = true;
		else
			return 'error unknown flag ' + w;
	}
	const to = word(l), text = rest(l);
	if (w === null || to === null || text === null)
		return 'error usage: mo [-u] [-p] FROM TO TEXT';
	const from = addr(w), dst = addr(to);
	const { dcs, ud } = userData(unescape(text), ucs2);
	if (!payload && ud.length > 140 + 20 * (dcs === 0))
		return 'error too long for one short_message: use -p';
	const s = receiver(null);
	if (!s)
		return 'error no receiver bound';
	st.mo++;
	deliver(s, {
		source_addr_ton: from.ton, source_addr_npi: from.npi,
		source_addr: from.addr, dest_addr_ton: dst.ton,
		dest_addr_npi: dst.npi, destination_addr: dst.addr,
		esm_class: 0, data_coding: dcs,
		short_message: payload ? Buffer.alloc(0) : ud,
		...(payload ? { message_payload: ud } : {}),
	}, 'mo src=' + from.addr + ' dcs=' + dcs +
	    (payload ? ' payload=1' : ''));
	return 'ok parts=1';
}

// ussd FROM TEXT [OP [SESSION|-]], or ussd [-o OP] [-s SESSION] FROM TEXT…
// OP defaults to 1 (PSSR indication) for "*…", else 18 (USSR confirm);
// the destination is the code dialled ("*505#" → 505) by that number.
function cmdUssd(l) {
	let op = null, sess = null, flagged = false, w;
	while ((w = word(l)) !== null && /^-./.test(w)) {
		flagged = true;
		if (w === '-o')
			op = word(l);
		else if (w === '-s')
			sess = word(l);
		else
			return 'error unknown flag ' + w;
	}
	const from = w;
	let text = flagged ? rest(l) : word(l);
	if (from === null || text === null)
		return 'error usage: ussd FROM TEXT [OP [SESSION|-]]';
	text = unescape(text);
	if (!flagged) {
		op = word(l);
		sess = word(l);
	}
	if (op !== null && !(/^\d{1,3}$/.test(op) && op <= 255))
		return 'error bad ussd_service_op';
	op = op === null ? (text[0] === '*' ? 1 : 18) : Number(op);
	if (sess !== null && sess !== '-' && !/^\d{1,5}$/.test(sess))
		return 'error bad session';
	const m = /^\*?(\d+)/.exec(text);
	if (op === 1 && m)
		ussdCode.set(from, m[1]);
	if (!ussdCode.has(from))
		return 'error no USSD session for this number: dial *code# first';
	const s = receiver(null);
	if (!s)
		return 'error no receiver bound';
	const f = addr(from), to = addr(ussdCode.get(from));
	const { dcs, ud } = userData(text, false);
	const params = {
		service_type: 'USSD', source_addr_ton: f.ton,
		source_addr_npi: f.npi, source_addr: f.addr,
		dest_addr_ton: to.ton, dest_addr_npi: to.npi,
		destination_addr: to.addr, esm_class: 0, data_coding: dcs,
		short_message: ud, ussd_service_op: op,
	};
	if (sess !== null && sess !== '-') {
		params.its_session_info = Buffer.alloc(2);
		params.its_session_info.writeUInt16BE(Number(sess));
	}
	st.ussd++;
	deliver(s, params, 'ussd src=' + f.addr + ' op=' + op);
	return 'ok';
}

// A command line is taken word by word as muni-smscsim does; rest() is
// the text to the end, its inner spaces kept.
function word(l) {
	const m = /^[ \t]*([^ \t]+)[ \t]?/.exec(l.s);
	if (!m)
		return null;
	l.s = l.s.slice(m[0].length);
	return m[1];
}
function rest(l) {
	const r = l.s.replace(/^[ \t]+/, '');
	return r === '' ? null : r;
}

// Backslash escapes as in muni-smscsim: \n, \r, \\.
function unescape(s) {
	return s.replace(/\\(.)/g, (m, c) => (c === 'n' ? '\n' :
	    c === 'r' ? '\r' : c));
}

function command(line, conn) {
	const l = { s: line };
	const cmd = word(l);
	switch (cmd) {
	case 'mo':
		return cmdMo(l);
	case 'ussd':
		return cmdUssd(l);
	case 'stats':
		return 'ok ' + Object.entries(st).map(([k, v]) => k + '=' + v)
		    .join(' ') + ' bound=' + sessions.size;
	case 'quit':
		setImmediate(() => conn.end());
		return 'ok';
	case 'shutdown':
		setImmediate(stop);
		return 'ok';
	case 'help':
		return 'ok commands: mo [-u] [-p] FROM TO TEXT | ussd FROM ' +
		    'TEXT [OP [SESSION|-]] | stats | quit | shutdown';
	default:
		return 'error unknown command ' + (cmd || '');
	}
}

// The control socket: one command a line, one "ok …"/"error …" line back.
let ctlServer = null;
if (conf.ctl) {
	try {
		fs.unlinkSync(conf.ctl);
	} catch (e) {
		// none there
	}
	ctlServer = net.createServer((conn) => {
		conn.on('error', () => conn.destroy());
		readline.createInterface({ input: conn }).on('line', (l) => {
			if (l.trim() !== '' && !conn.destroyed)
				conn.write(command(l, conn) + '\n');
		});
	}).listen(conf.ctl);
}

// SIGTERM/SIGINT: unbind every bound session, then exit 0.
function stop() {
	if (stopping)
		return;
	stopping = true;
	debug('stopping');
	server.close();
	if (ctlServer)
		ctlServer.close();	// removes the socket file
	if (sessions.size === 0)
		process.exit(0);
	for (const s of sessions)
		s.unbind({}, () => s.close());
	setTimeout(() => process.exit(0), 500);	// some never answer
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

server.on('error', (e) => {
	process.stderr.write('smsc_node: listen: ' + e.message + '\n');
	process.exit(1);
});
server.listen(conf.port, conf.addr, () => {
	if (conf.port === 0)
		process.stdout.write('port=' + server.address().port + '\n');
	debug('listening on ' + conf.addr + ':' + server.address().port);
});
