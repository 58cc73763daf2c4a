"""What a person calls the fields of the public request bodies (and common query parameters), in
Chinese and English, for problem details in plain words (infra/plain_words.py).

Keyed by the wire name (camelCase), whatever body it is in: a name means one thing across the API
(`count` is only a red packet's number of parts). A field missing here is not an error: it is
shown as its name spelled out ("expiresInMinutes" -> "expires in minutes").
"""

from __future__ import annotations

import re

LABELS: dict[str, tuple[str, str]] = {
    # accounts
    "username": ("用户名", "username"),
    "password": ("密码", "password"),
    "displayName": ("昵称", "display name"),
    "role": ("角色", "role"),
    "note": ("备注", "note"),
    # the address book and an order's address
    "address": ("收货地址", "shipping address"),
    "addressId": ("收货地址", "shipping address"),
    "name": ("姓名", "name"),
    "phone": ("手机号", "phone number"),
    "province": ("省份", "province"),
    "city": ("城市", "city"),
    "district": ("区县", "district"),
    "detail": ("详细地址", "street address"),
    "isDefault": ("默认地址", "default address"),
    # catalog
    "title": ("标题", "title"),
    "description": ("描述", "description"),
    "images": ("图片", "pictures"),
    "image": ("图片", "picture"),
    "onShelf": ("上架状态", "on-sale status"),
    "skus": ("规格（SKU）", "SKUs"),
    "specs": ("规格", "specifications"),
    "specValues": ("规格值", "specification values"),
    "values": ("规格值", "values"),
    "price": ("价格", "price"),
    "stock": ("库存", "stock"),
    "productId": ("商品", "product"),
    "productIds": ("商品", "products"),
    "ratesBp": ("佣金比例", "commission rates"),
    # live rooms
    "coverUrl": ("封面图片地址", "cover picture address"),
    "hlsUrl": ("推流播放地址", "stream address"),
    "scheduledAt": ("开播时间", "start time"),
    "action": ("操作", "action"),
    "userId": ("用户", "user"),
    "minutes": ("时长（分钟）", "duration in minutes"),
    "seconds": ("间隔（秒）", "interval in seconds"),
    "messageId": ("消息", "message"),
    "reason": ("原因", "reason"),
    # orders, payments, refunds
    "items": ("商品列表", "items"),
    "skuId": ("规格（SKU）", "SKU"),
    "quantity": ("数量", "quantity"),
    "roomId": ("直播间", "live room"),
    "sessionId": ("直播场次", "broadcast"),
    "userCouponId": ("优惠券", "coupon"),
    "method": ("支付方式", "payment method"),
    "provider": ("支付渠道", "payment provider"),
    "amount": ("金额", "amount"),
    "reasonCode": ("退款原因", "refund reason"),
    "photos": ("凭证图片", "photos"),
    "itemId": ("订单商品", "order item"),
    "carrier": ("快递公司", "carrier"),
    "trackingNo": ("快递单号", "tracking number"),
    "orderId": ("订单", "order"),
    "orders": ("订单", "orders"),
    # promotions
    "totalAmount": ("总金额", "total amount"),
    "count": ("份数", "number of parts"),
    "greeting": ("祝福语", "greeting"),
    "split": ("分配方式", "split"),
    "expiresInMinutes": ("有效时长（分钟）", "minutes until it expires"),
    "minWatchSeconds": ("最短观看时长（秒）", "minimum watching time in seconds"),
    "requirePresence": ("须在直播间", "presence in the room"),
    "amountOff": ("减免金额", "amount off"),
    "percentOffBp": ("折扣", "percentage off"),
    "maxDiscount": ("最高优惠", "largest discount"),
    "minSpend": ("使用门槛", "minimum spend"),
    "quota": ("发放数量", "quantity to give out"),
    "perUserLimit": ("每人限领", "limit per person"),
    "perUserDailyLimit": ("每人每日限领", "daily limit per person"),
    "validFrom": ("生效时间", "start of validity"),
    "validTo": ("失效时间", "end of validity"),
    "validMinutes": ("有效期（分钟）", "validity in minutes"),
    "liveOnly": ("仅直播中可领", "live-only"),
    "kind": ("类型", "kind"),
    "drop": ("发到直播间", "drop into the room"),
    # distribution, payouts
    "parentCode": ("邀请码", "invitation code"),
    "methodId": ("收款方式", "payout method"),
    "accountName": ("户名", "account holder"),
    "accountNo": ("账号", "account number"),
    "bankName": ("开户行", "bank"),
    # query parameters
    "limit": ("条数", "number of results"),
    "cursor": ("翻页位置", "page cursor"),
    "status": ("状态", "status"),
    "hostId": ("主播", "host"),
    "from": ("开始日期", "start date"),
    "to": ("结束日期", "end date"),
}

_INDEX = re.compile(r"\[(\d+)\]")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def spelled_out(name: str) -> str:
    """A name as words: "expiresInMinutes" -> "expires in minutes", "hls_url" -> "hls url"."""
    words = _WORDS.findall(name.replace("_", " ").replace("-", " "))
    return " ".join(w.lower() for w in words) or name or "?"


def _name(name: str, lang: str) -> str:
    known = LABELS.get(name)
    return (known[0] if lang == "zh" else known[1]) if known else spelled_out(name)


def label(path: str, lang: str) -> str:
    """What a person calls the field at `path` ("totalAmount", "skus[0].price") in `lang` ("zh"
    or "en"): its last named part, and the list item it is in ("规格（SKU）第 1 项的价格")."""
    parts = [p for p in path.split(".") if p]
    if not parts:
        return spelled_out(path)
    last = _INDEX.sub("", parts[-1])
    text = _name(last, lang) if last else ""
    for index in range(len(parts) - 1, -1, -1):
        positions = _INDEX.findall(parts[index])
        if not positions:
            continue
        n = int(positions[-1]) + 1
        owner = _name(_INDEX.sub("", parts[index]), lang)
        item = f"{owner}第 {n} 项" if lang == "zh" else f"item {n} of {owner}"
        if index == len(parts) - 1:
            return item
        return f"{item}的{text}" if lang == "zh" else f"{text} of {item}"
    return text
