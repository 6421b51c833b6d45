import { Action, Command, Ctx, Update } from 'nestjs-telegraf';
import { respond } from '../../bot/respond';
import { argsOf, userOf, type LinkedContext } from '../../bot/telegram-context';
import { CB, cb } from '../callback-data';
import { formatBacktest, formatBalance, formatDaily, formatHistory, formatPositions, formatProfit } from '../format';
import { keyboards } from '../keyboards';
import { TelegramTraderService } from '../telegram-trader.service';

type Matched = LinkedContext & { match: RegExpExecArray };

/** /balance, /positions, /history, /profit, /daily [n], /backtest. */
@Update()
export class AccountUpdate {
  constructor(private readonly trader: TelegramTraderService) {}

  @Command('balance')
  async balance(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatBalance(await this.trader.balances(userOf(ctx))) });
  }

  @Command('positions')
  async positions(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatPositions(await this.trader.openPositions(userOf(ctx))) });
  }

  @Command('history')
  async history(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatHistory(await this.trader.recentTrades(userOf(ctx))) });
  }

  @Command('profit')
  async profit(@Ctx() ctx: LinkedContext): Promise<void> {
    await respond(ctx, { text: formatProfit(await this.trader.profit(userOf(ctx))) });
  }

  @Command('daily')
  async daily(@Ctx() ctx: LinkedContext): Promise<void> {
    const asked = Number(argsOf(ctx)[0] ?? 7);
    const n = Number.isInteger(asked) && asked > 0 ? Math.min(asked, 90) : 7;
    await respond(ctx, { text: formatDaily(await this.trader.daily(userOf(ctx), n), n) });
  }

  @Command('backtest')
  async backtest(@Ctx() ctx: LinkedContext): Promise<void> {
    const bots = await this.trader.botLines(userOf(ctx), false);
    await respond(ctx, bots.length ? { text: "Backtest which bot's settings (on its last 500 stored candles)?", keyboard: keyboards.pickBot(bots, cb.backtest) } : { text: 'No bots yet. Start one with /trade.' });
  }

  @Action(CB.backtest)
  async backtestPick(@Ctx() ctx: Matched): Promise<void> {
    await respond(ctx, { text: formatBacktest(await this.trader.backtest(userOf(ctx), ctx.match[1])), edit: true, toast: 'Done' });
  }
}
