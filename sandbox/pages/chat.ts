import { html } from 'starmodel';
import type { PageContext } from '@starmodel/koa';
import { ChatRoom, messageItem } from '../entities.js';
import { layout } from './layout.js';

/** `/chat`: one room, live in every open browser. */
export async function chatPage(page: PageContext) {
  const room = await page.load(ChatRoom);
  const { ds } = page;
  // The name stays after a message is sent; the message box is cleared.
  const send = page.form(ChatRoom, 'send', { author: 'guest', text: '' }, { keep: ['author'] });
  return layout(page, 'Chat', html`
${room}
<section class="panel chat" ${page.live(ChatRoom)}>
  <ol id="messages" aria-live="polite">${room.messages.map(messageItem)}</ol>
  <form class="row" ${send.attrs}>
    <label>Name ${send.input('author', { maxlength: 40, size: 10 })}${send.error('author')}</label>
    <label class="grow">Message ${send.input('text', { maxlength: 280, autocomplete: 'off' })}${send.error('text')}</label>
    ${send.submit('Send')}
  </form>
  <p class="note"><span ${ds.text(ChatRoom.$('total'))}>${room.total}</span> messages so far.</p>
</section>`);
}
