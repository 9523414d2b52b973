-- richards: a small operating-system simulation in the style of the Richards
-- benchmark: prioritised tasks exchange packets through a scheduler. Tasks and
-- packets are objects; every task kind is a class built with metatables and
-- __index inheritance, so the run is dominated by method calls and field access.
-- Size: n, the number of times the idle task wakes the devices.
-- LuaJIT: runs.
-- groups: core
-- quick: 500
-- expect: richards n=450000 queued=1063828 holds=425531 checksum=626489
-- expect-quick: richards n=500 queued=1182 holds=472 checksum=952823
local n = tonumber(arg and arg[1]) or 450000

-- Task ids.
local IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = 1, 2, 3, 4, 5, 6
-- Packet kinds.
local WORK, DEVICE = "work", "device"

-- ---------------------------------------------------------------------------
-- Packets
-- ---------------------------------------------------------------------------

local Packet = {}
Packet.__index = Packet

-- A packet of the given kind, owned by task `owner`, with four data slots.
function Packet.new(kind, owner)
  return setmetatable({ kind = kind, owner = owner, next = nil, arg = 0,
                        data = { 0, 0, 0, 0 } }, Packet)
end

-- Append packet p to the queue that starts at self; returns the head.
function Packet:append(p)
  p.next = nil
  local last = self
  while last.next do
    last = last.next
  end
  last.next = p
  return self
end

-- ---------------------------------------------------------------------------
-- Tasks: a base class and four kinds
-- ---------------------------------------------------------------------------

local Task = {}
Task.__index = Task

-- Make a subclass of Task.
local function class()
  local cls = setmetatable({}, { __index = Task })
  cls.__index = cls
  return cls
end

-- Initialise the fields every task has.
function Task:init(id, priority, queue)
  self.id, self.priority, self.queue = id, priority, queue
  self.held, self.waiting = false, queue == nil
  return self
end

-- True when the scheduler may run this task now.
function Task:runnable()
  return not self.held and (not self.waiting or self.queue ~= nil)
end

-- Remove and return the first queued packet, or nil.
function Task:take()
  local p = self.queue
  if p then
    self.queue = p.next
    p.next = nil
  end
  return p
end

local IdleTask, WorkerTask, HandlerTask, DeviceTask = class(), class(), class(), class()

-- The idle task: wakes one of the two devices per run, pseudo-randomly.
function IdleTask.new(count)
  local t = setmetatable({}, IdleTask):init(IDLE, 0, nil)
  t.count, t.seed, t.waiting = count, 1, false
  return t
end

function IdleTask:run(sched)
  self.count = self.count - 1
  if self.count == 0 then
    return sched:hold_self()
  end
  -- A 16-bit Galois LFSR decides which device to release.
  local s = self.seed
  local low = s % 2
  s = (s - low) / 2
  if low == 1 then
    s = (s + 0xB400) % 65536
  end
  self.seed = s
  return sched:release(low == 1 and DEVICE_B or DEVICE_A)
end

-- The worker: fills work packets with letters and sends them to the handlers in turn.
function WorkerTask.new(queue)
  local t = setmetatable({}, WorkerTask):init(WORKER, 1000, queue)
  t.dest, t.letter = HANDLER_A, 1
  return t
end

function WorkerTask:run(sched, packet)
  if not packet then
    return sched:wait()
  end
  self.dest = self.dest == HANDLER_A and HANDLER_B or HANDLER_A
  packet.owner = self.dest
  packet.arg = 0
  local data = packet.data
  for i = 1, 4 do
    self.letter = self.letter % 26 + 1
    data[i] = self.letter
  end
  return sched:send(packet)
end

-- A handler: takes one work packet and one device packet at a time and passes the
-- work packet's letters to its device, one per device packet.
function HandlerTask.new(id, device, queue)
  local t = setmetatable({}, HandlerTask):init(id, id == HANDLER_A and 2000 or 3000, queue)
  t.device, t.work, t.devices = device, nil, nil
  return t
end

function HandlerTask:run(sched, packet)
  if packet then
    if packet.kind == WORK then
      self.work = self.work and self.work:append(packet) or packet
    else
      self.devices = self.devices and self.devices:append(packet) or packet
    end
  end
  local work = self.work
  if work then
    local i = work.arg + 1
    if i > 4 then
      self.work = work.next
      work.owner = WORKER
      return sched:send(work)
    end
    local dev = self.devices
    if dev then
      self.devices = dev.next
      dev.arg = work.data[i]
      work.arg = i
      dev.owner = self.device
      return sched:send(dev)
    end
  end
  return sched:wait()
end

-- A device: holds one packet until the idle task releases it, then returns it.
function DeviceTask.new(id)
  local t = setmetatable({}, DeviceTask):init(id, id == DEVICE_A and 4000 or 5000, nil)
  t.pending = nil
  return t
end

function DeviceTask:run(sched, packet)
  if not packet then
    local p = self.pending
    if not p then
      return sched:wait()
    end
    self.pending = nil
    p.owner = self.id == DEVICE_A and HANDLER_A or HANDLER_B
    return sched:send(p)
  end
  self.pending = packet
  sched.checksum = (sched.checksum * 31 + packet.arg) % 1000003
  return sched:hold_self()
end

-- ---------------------------------------------------------------------------
-- The scheduler
-- ---------------------------------------------------------------------------

local Scheduler = {}
Scheduler.__index = Scheduler

-- A scheduler with no tasks.
function Scheduler.new()
  return setmetatable({ tasks = {}, order = {}, current = nil,
                        queued = 0, holds = 0, checksum = 0 }, Scheduler)
end

-- Register a task; the run order is by decreasing priority.
function Scheduler:add(task)
  self.tasks[task.id] = task
  local order = self.order
  order[#order + 1] = task
  table.sort(order, function(a, b) return a.priority > b.priority end)
end

-- Deliver a packet to its owner; the current task keeps running.
function Scheduler:send(packet)
  local target = self.tasks[packet.owner]
  self.queued = self.queued + 1
  packet.next = nil
  if target.queue then
    target.queue:append(packet)
  else
    target.queue = packet
  end
  return self.current
end

-- The current task waits for a packet.
function Scheduler:wait()
  self.current.waiting = true
  return self.current
end

-- The current task holds itself until released.
function Scheduler:hold_self()
  self.holds = self.holds + 1
  self.current.held = true
  return self.current
end

-- Release a held task.
function Scheduler:release(id)
  self.tasks[id].held = false
  return self.current
end

-- Run the highest-priority runnable task until none is runnable.
function Scheduler:run()
  local order = self.order
  while true do
    local task
    for i = 1, #order do
      if order[i]:runnable() then
        task = order[i]
        break
      end
    end
    if not task then
      return
    end
    self.current = task
    local packet = nil
    if task.waiting then
      packet = task:take()
      task.waiting = false
    end
    task:run(self, packet)
  end
end

-- ---------------------------------------------------------------------------
-- Main
-- ---------------------------------------------------------------------------

local sched = Scheduler.new()
sched:add(IdleTask.new(n))
local work = Packet.new(WORK, WORKER):append(Packet.new(WORK, WORKER))
sched:add(WorkerTask.new(work))
for _, h in ipairs({ HANDLER_A, HANDLER_B }) do
  local dev = h == HANDLER_A and DEVICE_A or DEVICE_B
  local q = Packet.new(DEVICE, h)
  q:append(Packet.new(DEVICE, h))
  q:append(Packet.new(DEVICE, h))
  sched:add(HandlerTask.new(h, dev, q))
end
sched:add(DeviceTask.new(DEVICE_A))
sched:add(DeviceTask.new(DEVICE_B))
sched:run()
print(string.format("richards n=%d queued=%d holds=%d checksum=%d",
  n, sched.queued, sched.holds, sched.checksum))
