"""Vietnamese words for key phrases: compounds of two or more syllables, and the one-syllable
words that mean something alone in a technology text.

Vietnamese writes a space between syllables, not between words ("xử lý nước thải" is two
words), and no segmenter installs offline here. A key phrase is therefore built only from the
words listed below: a syllable outside them ends a phrase, so a chip cannot join the end of one
word with the start of the next ("bị xử", "thải sinh"). Missing a word costs a chip, never
shows a fragment. Extend the lists when a domain's words are missing from the chips.
"""

from __future__ import annotations


def listed(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


COMPOUNDS = frozenset(
    line.strip()
    for line in """
an toàn
ánh sáng
áp dụng
áp lực
áp suất
ăn mòn
ấu trùng
bán dẫn
băng tải
bảo dưỡng
bảo quản
bảo trì
bảo vệ
bảo vệ thực vật
bay hơi
bể lắng
bể phản ứng
bếp đun
bền vững
biến áp
biến đổi khí hậu
biến tần
bình nóng lạnh
bơm nhiệt
bón phân
bột cá
bột giấy
bụi mịn
búp chè
búp tươi
cà phê
cải tạo
cải tiến
canh tác
cảm biến
cảnh báo
cao su
cấp nước
cấp nhiệt
cây ăn quả
cây trồng
chăn nuôi
chân không
chất lượng
chất thải
chất thải rắn
chất thải nguy hại
chế biến
chế phẩm
chế tạo
chè xanh
chè đen
chè búp
chè ô long
chi phí
chiết xuất
chiếu sáng
chống ăn mòn
chuỗi cung ứng
chuyển đổi số
chuyển giao
chuyển hóa
chứng nhận
cô đặc
cơ giới hóa
cơ khí
công nghệ sinh học
công nghiệp
công suất
công tơ
côn trùng
cuộn dây
dây chuyền
dầu khí
dệt may
dệt nhuộm
di động
diệt khuẩn
diệt men
dinh dưỡng
du lịch
dung dịch
dược liệu
dư lượng
dữ liệu
đất hiếm
điện mặt trời
điện năng
điện phân
điện tử
điều hòa
điều khiển
đo lường
đo đếm
đóng gói
đồng hồ
động cơ
đốt than
gang thép
gia công
gia cầm
gia súc
giám sát
giảm phát thải
gió nóng
hạt giống
hầm biogas
hiệu suất
hóa chất
hóa học
hóa sinh
hoạt chất
hoạt tính
hồ quang
hồi nhiệt
hợp kim
hữu cơ
hương vị
keo tụ
khai thác
khí hóa
khí sinh học
khí thải
khoáng sản
khử màu
khử trùng
kiểm định
kiểm nghiệm
kiểm soát
kim loại
kim loại nặng
kỵ khí
làm héo
làm khô
làm lạnh
làm mát
làm nguội
lâm nghiệp
lão hóa
lên men
lò đốt
lò hơi
lò nung
lò quay
lò sấy
lọc bụi
luyện kim
lưới điện
máy cắt
máy ép
máy gặt
máy nghiền
máy phát điện
máy sấy
máy tách màu
máy vò
máy xay
mạ điện
mạ kẽm
mạch in
mặt trời
nấm men
năng lượng
năng lượng mặt trời
năng lượng tái tạo
năng suất
nhà kính
nhà lưới
nhà màng
nhà máy
nhiên liệu
nhiệt độ
nhiệt thải
nhỏ giọt
nhựa tái chế
nông lâm
nông nghiệp
nông sản
nuôi cấy
nuôi trồng
nước sạch
nước thải
nước ngầm
ô nhiễm
ô tô
oxy hóa
phân bón
phân compost
phân hủy
phân loại
phân tích
phát điện
phát thải
phần mềm
phế liệu
phế phẩm
phụ gia
phụ phẩm
phun sương
phun thuốc
quang điện
quang học
quặng
quy trình
rác thải
robot
rơm rạ
rửa trôi
sản phẩm
sắc ký
sâu bệnh
sâu hại
sấy khô
sinh hoạt
sinh học
sinh khối
sinh thái
sợi thủy tinh
tách màu
tái chế
tái sinh
tái sử dụng
tái tạo
than hoạt tính
thảo mộc
thẩm thấu ngược
thiết bị
thiêu kết
thông gió
thông minh
thu gom
thu hoạch
thu hồi
thuốc bảo vệ thực vật
thuốc nhuộm
thuốc trừ sâu
thủy canh
thủy lợi
thủy sản
thực phẩm
thức ăn
thức ăn chăn nuôi
tiết kiệm
tiết kiệm năng lượng
tiết kiệm nước
tinh bột
tinh chế
tinh dầu
tinh khiết
tổng hợp
trang trại
trạm xử lý
trí tuệ nhân tạo
trồng trọt
truy xuất nguồn gốc
tuần hoàn
tuổi thọ
tự động
tự động hóa
tưới nhỏ giọt
tưới tiêu
ứng dụng
vận hành
vật liệu
vật liệu xây dựng
vi khuẩn
vi sinh
vi sinh vật
viên nén
vò chè
vỏ trấu
xay xát
xi mạ
xi măng
xử lý
xử lý nước
xử lý nước thải
y tế
phân tán
phân cấp
phân phối
phân giải
phân lập
phân xưởng
phân gia súc
phân lợn
phân bò
phân chuồng
phân vi sinh
phân hữu cơ
phân bón hữu cơ
dư thừa
quy mô
kết hợp
giữ màu
nhỏ gọn
tập trung
kết nối
cảnh báo
dự báo
dự đoán
bảo trì dự đoán
thời gian thực
chuyển đổi số
lá chè
cây chè
bột chè
chè túi
trà xanh
đồi chè
vùng chè
ruồi lính đen
thu mua
tách cọng
diệt men
bùn hoạt tính
lọc sinh học
xử lý sinh học
keo tụ điện hóa
điện hóa
mô-đun
hợp kim cứng
vonfram
nhiệt thải
thiêu kết
lò hơi thu hồi
rầy xanh
thiên địch
dịch hại
quản lý dịch hại
thiết bị bay
máy bay không người lái
đo đếm điện năng
công tơ điện
điện năng
biogas
cơ giới
khí sinh học
phát điện
trang trại lợn
nông hộ
dây chuyền sản xuất
ép viên
viên nén
mùn cưa
dăm gỗ
than sinh học
chất thải rắn
rác thải sinh hoạt
nước thải sinh hoạt
nước thải công nghiệp
nước thải chăn nuôi
quan trắc
cảm biến rung
tiêu thụ điện
sấy lạnh
sấy phun
sấy thăng hoa
máy sấy bơm nhiệt
nghiền mịn
siêu mịn
kiểm soát nhiệt độ
độ ẩm
nhiệt độ thấp
chất lượng nước
quy chuẩn
tái sử dụng nước
""".splitlines()
    if line.strip()
)

# One-syllable words that name a thing or an action on their own ("sấy chè" is two of them).
SINGLES = listed(
    """
chè trà sấy vò máy lò bơm khí nước điện than bùn rác lúa gạo sắn ngô tôm cá lợn bò gà vịt
phân thép gỗ nhựa giấy kẽm niken vải rau hoa cây đất bụi dầu sữa thịt muối mía tiêu nấm
ong chuối dứa xoài vải nhãn bưởi cam quặng xỉ tro gốm sứ kính sơn khuôn mạ hàn cắt ép nghiền
xay dệt nhuộm lọc tưới bón héo pin mô-đun rơm trấu men bột
"""
)

# Words too general to be a reason alone ("công nghệ", "hệ thống"): they may sit inside a
# longer phrase, never form the whole of one.
GENERIC = frozenset(
    line.strip()
    for line in """
xử lý
kết hợp
quy mô
tập trung
kiểm soát
thu hồi
năng lượng
hóa học
hoạt tính
chuyển hóa
phân tích
điện tử
sinh học
kết nối
nhỏ gọn
dư thừa
áp dụng
công nghệ
hệ thống
giải pháp
doanh nghiệp
sản xuất
sử dụng
chi phí
hiệu quả
phù hợp
thiết bị
sản phẩm
ứng dụng
chất lượng
vận hành
quy trình
phát triển
nghiên cứu
hợp tác
chuyển giao
đào tạo
cung cấp
nâng cao
giảm
tăng
cải tiến
cải thiện
sinh hoạt
tổng hợp
an toàn
tự động
thông minh
nhà máy
công suất
năng suất
máy
điện
nước
khí
đất
""".splitlines()
    if line.strip()
)

# A generic word of several syllables still segments as one word.
COMPOUNDS = COMPOUNDS | frozenset(w for w in GENERIC if " " in w)

# Verbs that open a clause, not a thing: a phrase never starts with one
# ("chuyển giao hệ thống tưới" reads as "hệ thống tưới").
LEADING_VERBS = frozenset(
    line.strip()
    for line in """
chuyển giao
sử dụng
cung cấp
phát triển
nghiên cứu
hợp tác
đào tạo
nâng cao
cải thiện
cải tiến
áp dụng
ứng dụng
kết hợp
giảm
tăng
""".splitlines()
    if line.strip()
)
