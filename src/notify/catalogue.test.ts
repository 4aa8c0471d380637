import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_EVENT_TYPES, filterProblem, wants } from './catalogue.js';

test('event filters: exact names and * patterns; unknown names are refused with the list', () => {
  assert.equal(filterProblem('logsnap.css.backup.failed'), null);
  assert.equal(filterProblem('logsnap.css.*'), null);
  assert.equal(filterProblem('*.failed'), null);
  assert.match(filterProblem('logsnap.css.backup.exploded')!, /matches no event type; known types: logsnap\.css\.backup\.started/);
  assert.match(filterProblem('Logsnap CSS')!, /may only hold/);
  assert.equal(wants(null, 'logsnap.dws.snapshot.deleted'), true);
  assert.equal(wants(['logsnap.css.*'], 'logsnap.css.backup.failed'), true);
  assert.equal(wants(['logsnap.css.*'], 'logsnap.cce.snapshot.failed'), false);
  assert.equal(wants(['*.failed'], 'logsnap.cce.snapshot.failed'), true);
  assert.equal(wants(['*.failed'], 'logsnap.cce.snapshot.succeeded'), false);
  assert.equal(wants(['logsnap.dws.snapshot.deleted'], 'logsnap.webhook.ping'), true);
  assert.deepEqual(ALL_EVENT_TYPES.filter((t) => t !== 'logsnap.webhook.ping' && wants(['logsnap.dws.snapshot.*'], t)), [
    'logsnap.dws.snapshot.started', 'logsnap.dws.snapshot.succeeded', 'logsnap.dws.snapshot.failed', 'logsnap.dws.snapshot.deleted', 'logsnap.dws.snapshot.expired',
  ]);
});
