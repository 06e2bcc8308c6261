import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { ChatRoom, messageItem } from '../entities.js';
import { layout } from './layout.js';

/** `/chat`: one room, live in every open browser. */
export async function chatPage(page: PageContext) {
  const room = await page.load(ChatRoom);
  const { ds } = page;
  return layout(page, 'Chat', html`
${room}
<section class="panel chat" ${page.live(ChatRoom)}>
  <ol id="messages" aria-live="polite">${room.messages.map(messageItem)}</ol>
  <form class="row" ${ds.on('submit', `${ChatRoom.act('send')}; $text = ''`, 'prevent')} ${ds.signals({ author: 'guest', text: '' })}>
    <label>Name <input name="author" ${ds.bind('author')} maxlength="40" size="10"></label>
    <label class="grow">Message <input name="text" ${ds.bind('text')} maxlength="280" autocomplete="off"></label>
    <button type="submit">Send</button>
  </form>
  <p class="field-error" role="alert" ${ds.text(`${ChatRoom.errorOf('author')} || ${ChatRoom.errorOf('text')}`)}></p>
  <p class="note"><span ${ds.text(ChatRoom.$('total'))}>${room.total}</span> messages so far.</p>
</section>`);
}
