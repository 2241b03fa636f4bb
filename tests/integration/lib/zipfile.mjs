// zipfile.mjs — .zip archives made in the tests, byte for byte, so a test
// can also make the ones no archiver would: entries with any name, flags
// (bit 0: encrypted) or declared sizes (zip64's 0xffffffff, a bomb's).
//
//   makeZip([{name, data, deflate, flags, size, csize}]) -> Buffer
//       data a Buffer (default empty); deflate 1 compresses it (method 8);
//       size / csize override the sizes the headers declare.
//   crc32(buf) -> the CRC-32 of buf (APPNOTE's)
import zlib from 'node:zlib';

const CRC = new Uint32Array(256).map((_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

export function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

export function makeZip(entries) {
	const parts = [];
	const central = [];
	let off = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name);
		const data = e.data ?? Buffer.alloc(0);
		const comp = e.deflate ? zlib.deflateRawSync(data) : data;
		const size = e.size ?? data.length;
		const csize = e.csize ?? comp.length;
		// The fields both headers carry, from "version needed" to the
		// name's length: at 4 in the local header, 6 in the central one.
		const common = (buf, at) => {
			buf.writeUInt16LE(20, at);
			buf.writeUInt16LE(e.flags ?? 0, at + 2);
			buf.writeUInt16LE(e.deflate ? 8 : 0, at + 4);
			buf.writeUInt32LE(crc32(data), at + 10);
			buf.writeUInt32LE(csize, at + 14);
			buf.writeUInt32LE(size, at + 18);
			buf.writeUInt16LE(name.length, at + 22);
			return buf;
		};
		const lh = common(Buffer.alloc(30), 4);
		lh.writeUInt32LE(0x04034b50, 0);
		const ch = common(Buffer.alloc(46), 6);
		ch.writeUInt32LE(0x02014b50, 0);
		ch.writeUInt16LE(20, 4);
		ch.writeUInt32LE(off, 42);
		parts.push(lh, name, comp);
		central.push(ch, name);
		off += 30 + name.length + comp.length;
	}
	const cd = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(entries.length, 8);
	eocd.writeUInt16LE(entries.length, 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(off, 16);
	return Buffer.concat([...parts, cd, eocd]);
}
